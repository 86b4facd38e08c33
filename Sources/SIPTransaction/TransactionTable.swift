import SIPCore
import SIPTransport
import Synchronization

/// One stripe of the transaction table. A key always hashes to the same stripe, so the
/// transactions a message can match (its own, the INVITE of a CANCEL, which shares the
/// branch and sent-by) are looked up under a single lock.
final class TransactionShard: Sendable {
    let state = Mutex(ShardState())
}

struct ShardState: ~Copyable {
    var servers: [SIPServerTransactionKey: ServerEntry] = [:]
    var clients: [SIPClientTransactionKey: ClientEntry] = [:]
    /// Source of entry ids and timer tokens; unique within the shard.
    var counter: UInt64 = 0

    mutating func nextID() -> UInt64 {
        counter &+= 1
        return counter
    }
}

/// A timer slot: one of the RFC timers or the reaper's lifetime guard.
enum TimerSlot: Hashable, Sendable {
    case rfc(SIPTransactionTimer)
    case lifetime
}

/// A running timer: its slot, the token its callback carries, and the handle to cancel it.
struct ArmedTimer: Sendable {
    var slot: TimerSlot
    var token: UInt64
    var timer: any SIPScheduledTimer
}

extension [ArmedTimer] {
    /// Removes and cancels the timer in `slot`, if running.
    mutating func disarm(_ slot: TimerSlot) {
        if let index = firstIndex(where: { $0.slot == slot }) {
            self[index].timer.cancel()
            remove(at: index)
        }
    }

    /// Removes the timer in `slot` when `token` is the current one: true for a live firing,
    /// false for a stale one (cancelled or restarted since).
    mutating func consume(_ slot: TimerSlot, token: UInt64) -> Bool {
        guard let index = firstIndex(where: { $0.slot == slot && $0.token == token }) else { return false }
        remove(at: index)
        return true
    }

    mutating func cancelAll() {
        for armed in self { armed.timer.cancel() }
        removeAll()
    }
}

/// The state machine of a server transaction.
indirect enum ServerMachine: Sendable {
    case invite(ServerInviteTransaction)
    case nonInvite(ServerNonInviteTransaction)
    /// A non-INVITE transaction in Completed state, compacted (``CompletedServerTransaction``).
    case completed(CompletedServerTransaction)

    init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration) {
        if request.method == .invite {
            self = .invite(ServerInviteTransaction(request: request, isReliable: isReliable, timers: timers))
        } else {
            self = .nonInvite(ServerNonInviteTransaction(request: request, isReliable: isReliable, timers: timers))
        }
    }

    mutating func start() -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.start()
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.start()
        case .completed: return []
        }
    }

    mutating func receiveRequest(_ request: SIPRequest) -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.receiveRequest(request)
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.receiveRequest(request)
        case .completed(let m): return m.receiveRequest()
        }
    }

    mutating func sendResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.sendResponse(response)
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.sendResponse(response)
        case .completed: return []
        }
    }

    mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.timerFired(timer)
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.timerFired(timer)
        case .completed(let m): return m.timerFired(timer)
        }
    }

    mutating func transportError() -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.transportError()
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.transportError()
        case .completed(let m): return m.transportError()
        }
    }

    /// The compact form of a non-INVITE transaction that has reached Completed (its final
    /// response sent over an unreliable transport, Timer J running); nil otherwise.
    var compacted: ServerMachine? {
        guard case .nonInvite(let m) = self, m.state == .completed, let response = m.lastResponse else { return nil }
        return .completed(CompletedServerTransaction(response: response))
    }

    /// True while the TU still owes the transaction its final response.
    var awaitsFinalResponse: Bool {
        switch self {
        case .invite(let m): m.state == .proceeding
        case .nonInvite(let m): m.state == .trying || m.state == .proceeding
        case .completed: false
        }
    }

    /// True for an INVITE transaction that has not yet sent a final response (§9.2: only those
    /// can be cancelled).
    var isCancellable: Bool {
        if case .invite(let m) = self { return m.state == .proceeding }
        return false
    }
}

/// The state machine of a client transaction.
enum ClientMachine: Sendable {
    case invite(ClientInviteTransaction)
    case nonInvite(ClientNonInviteTransaction)

    init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration) {
        if request.method == .invite {
            self = .invite(ClientInviteTransaction(request: request, isReliable: isReliable, timers: timers))
        } else {
            self = .nonInvite(ClientNonInviteTransaction(request: request, isReliable: isReliable, timers: timers))
        }
    }

    mutating func start() -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.start()
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.start()
        }
    }

    mutating func receiveResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.receiveResponse(response)
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.receiveResponse(response)
        }
    }

    mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.timerFired(timer)
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.timerFired(timer)
        }
    }

    mutating func transportError() -> [SIPTransactionAction] {
        switch self {
        case .invite(var m): defer { self = .invite(m) }; return m.transportError()
        case .nonInvite(var m): defer { self = .nonInvite(m) }; return m.transportError()
        }
    }
}

/// A server transaction in the table.
///
/// Once a non-INVITE transaction is Completed over UDP it only answers retransmissions with
/// its final response until Timer J (64·T1) removes it. It is then compacted: the machine
/// becomes a ``CompletedServerTransaction`` holding the response re-parsed on its own, and the
/// entry drops its ``handle`` — so the request, its essentials and everything the TU attached
/// are freed after the TU lets go, instead of living 32 s per transaction.
struct ServerEntry: Sendable {
    var machine: ServerMachine
    /// The TU's handle; nil once the entry was compacted.
    var handle: SIPServerTransactionHandle?
    let id: UInt64
    let source: SIPSource
    var timers: [ArmedTimer] = []
    /// RFC 2543 matching: the To tag of the request that created the transaction.
    let requestToTag: String?
    /// RFC 2543 matching: the To tag of the last final response sent (an ACK must carry it).
    var responseToTag: String?

    /// The §17.2.3 RFC 2543 rule on To tags; always true for RFC 3261 branches.
    func toTagMatches(_ request: SIPRequest, key: SIPServerTransactionKey) -> Bool {
        guard case .rfc2543 = key else { return true }
        return request.toTag == (request.method == .ack ? responseToTag : requestToTag)
    }
}

/// A client transaction in the table.
struct ClientEntry: Sendable {
    var machine: ClientMachine
    let id: UInt64
    let key: SIPClientTransactionKey
    let destination: SIPDestination
    let onEvent: @Sendable (SIPClientTransactionEvent) -> Void
    var timers: [ArmedTimer] = []
}
