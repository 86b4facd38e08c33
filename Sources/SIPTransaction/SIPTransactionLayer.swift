public import Logging
import SIPCore
public import SIPTransport
import Synchronization

/// The transaction layer of RFC 3261 §17: it matches incoming messages to transactions
/// (§17.1.3, §17.2.3), runs the four transaction state machines, their timers and
/// retransmissions, and talks to the transaction user above and the transport below.
///
/// Plug it in as the transport's `SIPMessageReceiver`. New requests go to the TU's
/// ``SIPTransactionUser/handleRequest(_:transaction:)``; retransmissions that match an existing
/// server transaction are absorbed and answered with its last response; ACKs for non-2xx
/// responses are absorbed; ACKs for 2xx and responses that match no client transaction go to
/// the TU. Client transactions start with ``startClientTransaction(_:to:onEvent:)`` or
/// ``sendRequest(_:to:)``.
///
/// ## Concurrency invariants
///
/// - The table is split into ``Configuration/shardCount`` stripes, each behind its own `Mutex`.
///   A server transaction lives in the stripe of its key's hash, a client transaction in the
///   stripe of its key's hash. Every state change of a transaction — a message, a TU response,
///   a timer — happens synchronously under that one stripe's lock: no `Task` hop, no `await`.
/// - Under the lock the layer only mutates the table and schedules or cancels timers (the
///   ``SIPTimerScheduler`` contract forbids calling back synchronously). Sends and TU callbacks
///   are collected and performed after the lock is released, so a TU may call back into the
///   layer (respond, start a client transaction) from within a callback.
/// - Each timer carries a token; a timer that was cancelled or restarted but fires anyway finds
///   a different token and is ignored, so no transaction ever sees a stale timer.
/// - A terminated transaction is removed from the table at once, and its timers are cancelled
///   ("reaped"). A lifetime guard (``Configuration/maximumLifetime``) removes server
///   transactions the TU never answered and INVITE client transactions that never completed.
/// - Sends: with a ``SIPImmediateMessageSender`` they start synchronously, in order. Otherwise
///   the sends of one event run in one `Task`, in order; sends of different events may be
///   reordered, which SIP tolerates (a late provisional response is ignored by the client).
public final class SIPTransactionLayer: SIPMessageReceiver, Sendable {
    /// Settings of the transaction layer.
    public struct Configuration: Sendable, Hashable {
        /// Timer values (T1, T2, T4, D, 100 Trying delay). Default: RFC 3261 values.
        public var timers: SIPTimerConfiguration
        /// Number of lock stripes of the transaction table. Default 256: a busy registrar holds
        /// ~500,000 transactions, and a stripe's table rehashes under its lock as it grows; with 16
        /// stripes 9,000 REGISTER/s showed p99 spikes of 66–157 ms, with 256 none (p99 9–10 ms),
        /// for about 0.2 KB more memory per binding at the peak.
        public var shardCount: Int
        /// Longest life of a server transaction or an INVITE client transaction before the
        /// reaper removes it; nil disables the guard. Default 300 s (beyond Timer C's 3 min).
        public var maximumLifetime: Duration?

        public init(timers: SIPTimerConfiguration = .default, shardCount: Int = 256, maximumLifetime: Duration? = .seconds(300)) {
            self.timers = timers
            self.shardCount = shardCount
            self.maximumLifetime = maximumLifetime
        }

        public static let `default` = Configuration()
    }

    public let configuration: Configuration
    let sender: any SIPMessageSender
    let immediateSender: (any SIPImmediateMessageSender)?
    let scheduler: any SIPTimerScheduler
    let logger: Logger
    let metrics: TransactionMetrics
    let shards: [TransactionShard]
    /// Consulted before a server transaction is created (overload control); nil admits all.
    let admissionGate: (any SIPAdmissionGate)?
    private let userBox: Mutex<(any SIPTransactionUser)?>

    /// - Parameters:
    ///   - sender: the transport; a ``SIPImmediateMessageSender`` avoids a `Task` per send.
    ///   - scheduler: runs the timers (``SIPEventLoopTimerScheduler`` in production).
    ///   - user: the TU; may be set later with ``setUser(_:)``. Requests that arrive while there
    ///     is none are answered 503 by the transaction.
    ///   - configuration: timers and table settings; validated.
    ///   - admissionGate: refuses new requests statelessly before a transaction is created
    ///     (``SIPOverloadGate``); nil admits every request.
    ///   - logger: per-message logs at `trace`, failures at `debug`/`notice`.
    public init(
        sender: any SIPMessageSender, scheduler: any SIPTimerScheduler, user: (any SIPTransactionUser)? = nil,
        configuration: Configuration = .default, admissionGate: (any SIPAdmissionGate)? = nil,
        logger: Logger = Logger(label: "switchboard.transaction")
    ) throws(SIPTransactionError) {
        try configuration.timers.validate()
        guard configuration.shardCount > 0, configuration.shardCount <= 4096 else {
            throw SIPTransactionError(.invalidConfiguration, "shardCount must be in 1...4096")
        }
        if let lifetime = configuration.maximumLifetime, lifetime <= .zero {
            throw SIPTransactionError(.invalidConfiguration, "maximumLifetime must be positive")
        }
        self.configuration = configuration
        self.sender = sender
        self.immediateSender = sender as? any SIPImmediateMessageSender
        self.scheduler = scheduler
        self.logger = logger
        self.metrics = TransactionMetrics()
        self.shards = (0..<configuration.shardCount).map { _ in TransactionShard() }
        self.userBox = Mutex(user)
        self.admissionGate = admissionGate
    }

    /// Sets (or replaces) the transaction user.
    public func setUser(_ user: any SIPTransactionUser) {
        userBox.withLock { $0 = user }
    }

    var user: (any SIPTransactionUser)? { userBox.withLock { $0 } }

    /// Entry point from the transport (RFC 3261 §18.1.2, §18.2.1): matches the message to a
    /// transaction or hands it to the TU. Never blocks.
    public func receive(_ incoming: SIPIncomingMessage) {
        switch incoming.message {
        case .request(let request):
            receiveRequest(request, source: incoming.source, essentials: incoming.essentials, eventLoop: incoming.eventLoop)
        case .response(let response): receiveResponse(response, source: incoming.source)
        }
    }

    /// The number of server and client transactions in the table (for tests and gauges).
    public var transactionCount: (server: Int, client: Int) {
        var server = 0
        var client = 0
        for shard in shards {
            shard.state.withLock { state in
                server += state.servers.count
                client += state.clients.count
            }
        }
        return (server, client)
    }

    func shardIndex(_ key: some Hashable) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))
    }
}
