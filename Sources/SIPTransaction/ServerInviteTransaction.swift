public import SIPCore

/// The INVITE server transaction of RFC 3261 §17.2.1, with the Accepted state of RFC 6026 §7.1.
///
/// ```
/// Proceeding ──300-699 from TU──▶ Completed ──ACK──▶ Confirmed ──Timer I──▶ Terminated
///     │                              └──Timer H (timeout)─────────────────────▲
///     └──2xx from TU──▶ Accepted ──Timer L────────────────────────────────────┘
/// ```
///
/// - 100 (Trying): sent by the transaction when the TU has not sent a provisional response
///   within ``SIPTimerConfiguration/tryingDelay`` (200 ms by default, as §17.2.1 allows), so
///   that a TU that answers at once (a 302, 404 or 486) costs one response on the wire, not two;
///   200 ms is below T1, so the client does not retransmit first. `.zero` sends it at once.
/// - Proceeding: an INVITE retransmission is answered with the last provisional response.
/// - Completed (300–699): the final response is retransmitted on timer G (unreliable only, T1
///   doubling up to T2) and for every INVITE retransmission; timer H (64·T1) ends the
///   transaction with a timeout when no ACK arrives. The ACK is absorbed, not passed up.
/// - Confirmed: further ACKs are absorbed until timer I (T4 on UDP, 0 on TCP/TLS).
/// - 2xx (RFC 6026): the transaction moves to Accepted instead of Terminated, so that INVITE
///   retransmissions are absorbed (the TU, not the transaction, retransmits the 2xx per
///   §13.3.1.4) and an ACK that matches it is passed to the TU; further 2xx from the TU are
///   sent. Timer L (64·T1) ends it.
public struct ServerInviteTransaction: Sendable {
    /// The states of figure 7 plus RFC 6026 Accepted.
    public enum State: Sendable, Hashable {
        case proceeding, accepted, completed, confirmed, terminated
    }

    public private(set) var state: State = .proceeding
    /// The INVITE that created the transaction.
    public let request: SIPRequest
    /// True on TCP/TLS: no response retransmissions, timer I is zero.
    public let isReliable: Bool
    public let timers: SIPTimerConfiguration
    /// The most recent response sent.
    public private(set) var lastResponse: SIPResponse?
    private var timerGInterval: Duration
    private var tryingPending = false

    public init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.isReliable = isReliable
        self.timers = timers
        self.timerGInterval = timers.t1
    }

    /// Passes the INVITE to the TU and sends 100 (Trying) now or arms the trying timer.
    public mutating func start() -> [SIPTransactionAction] {
        if timers.tryingDelay > .zero {
            tryingPending = true
            return [.startTimer(.trying, timers.tryingDelay), .passToTU(.request(request))]
        }
        let trying = SIPResponse(answering: request, statusCode: 100)
        lastResponse = trying
        return [.send(.response(trying)), .passToTU(.request(request))]
    }

    /// A request matched to this transaction (§17.2.3): an INVITE retransmission or an ACK.
    public mutating func receiveRequest(_ incoming: SIPRequest) -> [SIPTransactionAction] {
        if incoming.method == .ack {
            switch state {
            case .completed:
                state = .confirmed
                var actions: [SIPTransactionAction] = isReliable ? [.cancelTimer(.h)] : [.cancelTimer(.g), .cancelTimer(.h)]
                if isReliable {
                    state = .terminated
                    actions.append(.terminate)
                } else {
                    actions.append(.startTimer(.i, timers.t4))
                }
                return actions
            case .accepted:
                // RFC 6026 §7.1: an ACK matching an accepted INVITE goes to the TU.
                return [.passToTU(.request(incoming))]
            case .proceeding, .confirmed, .terminated:
                return []
            }
        }
        switch state {
        case .proceeding:
            return lastResponse.map { [.send(.response($0))] } ?? []
        case .completed:
            return lastResponse.map { [.send(.response($0))] } ?? []
        case .accepted, .confirmed, .terminated:
            return []
        }
    }

    /// The TU sends a response through this transaction. Responses the current state does not
    /// allow (anything after a non-2xx final, a non-2xx after a 2xx) give no actions.
    public mutating func sendResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch state {
        case .proceeding:
            var actions: [SIPTransactionAction] = []
            if tryingPending {
                tryingPending = false
                actions.append(.cancelTimer(.trying))
            }
            lastResponse = response
            actions.append(.send(.response(response)))
            if response.isSuccess {
                state = .accepted
                actions.append(.startTimer(.l, timers.transactionTimeout))
            } else if response.isFinal {
                state = .completed
                if !isReliable { actions.append(.startTimer(.g, timerGInterval)) }
                actions.append(.startTimer(.h, timers.transactionTimeout))
            }
            return actions
        case .accepted:
            // RFC 6026 §7.1: the TU's 2xx retransmissions (§13.3.1.4) pass through.
            guard response.isSuccess else { return [] }
            lastResponse = response
            return [.send(.response(response))]
        case .completed, .confirmed, .terminated:
            return []
        }
    }

    /// A timer of this transaction fired; stale timers are ignored.
    public mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        switch (timer, state) {
        case (.trying, .proceeding) where tryingPending:
            tryingPending = false
            let trying = SIPResponse(answering: request, statusCode: 100)
            lastResponse = trying
            return [.send(.response(trying))]
        case (.g, .completed):
            timerGInterval = min(timerGInterval * 2, timers.t2)
            return (lastResponse.map { [.send(.response($0))] } ?? []) + [.startTimer(.g, timerGInterval)]
        case (.h, .completed):
            state = .terminated
            return (isReliable ? [] : [.cancelTimer(.g)]) + [.timeout, .terminate]
        case (.i, .confirmed), (.l, .accepted):
            state = .terminated
            return [.terminate]
        default:
            return []
        }
    }

    /// The transport failed to send a response (§17.2.4).
    public mutating func transportError() -> [SIPTransactionAction] {
        guard state != .terminated, state != .confirmed else { return [] }
        state = .terminated
        return [.transportError, .terminate]
    }
}
