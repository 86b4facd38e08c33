public import SIPCore

/// The non-INVITE client transaction of RFC 3261 §17.1.2 (figure 6).
///
/// ```
/// Trying ──1xx──▶ Proceeding ──200-699──▶ Completed ──Timer K──▶ Terminated
///   │ └──────────200-699──────────────────▲                        ▲
///   └──────────── Timer F (also from Proceeding) ──────────────────┘
/// ```
///
/// - Timer E retransmits the request on unreliable transports: T1, doubling up to T2 in
///   Trying, every T2 in Proceeding.
/// - Timer F (64·T1) ends the transaction with a timeout.
/// - Timer K (T4 on UDP, 0 on TCP/TLS) absorbs response retransmissions in Completed.
public struct ClientNonInviteTransaction: Sendable {
    /// The states of figure 6.
    public enum State: Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    public private(set) var state: State = .trying
    /// The request this transaction sends.
    public let request: SIPRequest
    /// True on TCP/TLS: no retransmissions, timer K is zero.
    public let isReliable: Bool
    public let timers: SIPTimerConfiguration
    private var timerEInterval: Duration

    public init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.isReliable = isReliable
        self.timers = timers
        self.timerEInterval = timers.t1
    }

    /// Sends the request and starts timers E (unreliable only) and F.
    public mutating func start() -> [SIPTransactionAction] {
        var actions: [SIPTransactionAction] = [.send(.request(request))]
        if !isReliable { actions.append(.startTimer(.e, timerEInterval)) }
        actions.append(.startTimer(.f, timers.transactionTimeout))
        return actions
    }

    /// A response matched to this transaction (§17.1.3).
    public mutating func receiveResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch state {
        case .trying, .proceeding:
            if response.isProvisional {
                state = .proceeding
                return [.passToTU(.response(response))]
            }
            state = .completed
            var actions: [SIPTransactionAction] = isReliable ? [.cancelTimer(.f)] : [.cancelTimer(.e), .cancelTimer(.f)]
            actions.append(.passToTU(.response(response)))
            if isReliable {
                state = .terminated
                actions.append(.terminate)
            } else {
                actions.append(.startTimer(.k, timers.t4))
            }
            return actions
        case .completed, .terminated:
            return []
        }
    }

    /// A timer of this transaction fired; stale timers are ignored.
    public mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        switch (timer, state) {
        case (.e, .trying):
            timerEInterval = min(timerEInterval * 2, timers.t2)
            return [.send(.request(request)), .startTimer(.e, timerEInterval)]
        case (.e, .proceeding):
            timerEInterval = timers.t2
            return [.send(.request(request)), .startTimer(.e, timerEInterval)]
        case (.f, .trying), (.f, .proceeding):
            state = .terminated
            return (isReliable ? [] : [.cancelTimer(.e)]) + [.timeout, .terminate]
        case (.k, .completed):
            state = .terminated
            return [.terminate]
        default:
            return []
        }
    }

    /// The transport failed to send the request (§17.1.4).
    public mutating func transportError() -> [SIPTransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.transportError, .terminate]
    }
}
