public import SIPCore

/// The non-INVITE server transaction of RFC 3261 §17.2.2 (figure 8).
///
/// ```
/// Trying ──1xx from TU──▶ Proceeding ──200-699 from TU──▶ Completed ──Timer J──▶ Terminated
///   └─────────────200-699 from TU──────────────────────────▲
/// ```
///
/// - Trying: retransmissions of the request are discarded (nothing has been sent yet).
/// - Proceeding / Completed: each retransmission is answered with the last response sent
///   (provisional, then final): this is how retransmissions are absorbed on UDP.
/// - Completed lasts timer J (64·T1 on UDP, 0 on TCP/TLS); further TU responses are discarded.
public struct ServerNonInviteTransaction: Sendable {
    /// The states of figure 8.
    public enum State: Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    public private(set) var state: State = .trying
    /// The request that created the transaction.
    public let request: SIPRequest
    /// True on TCP/TLS: timer J is zero.
    public let isReliable: Bool
    public let timers: SIPTimerConfiguration
    /// The most recent response sent.
    public private(set) var lastResponse: SIPResponse?

    public init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.isReliable = isReliable
        self.timers = timers
    }

    /// Passes the request to the TU.
    public mutating func start() -> [SIPTransactionAction] {
        [.passToTU(.request(request))]
    }

    /// A retransmission of the request matched to this transaction (§17.2.3).
    public mutating func receiveRequest(_ incoming: SIPRequest) -> [SIPTransactionAction] {
        switch state {
        case .proceeding, .completed:
            return lastResponse.map { [.send(.response($0))] } ?? []
        case .trying, .terminated:
            return []
        }
    }

    /// The TU sends a response through this transaction.
    public mutating func sendResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch state {
        case .trying, .proceeding:
            lastResponse = response
            guard response.isFinal else {
                state = .proceeding
                return [.send(.response(response))]
            }
            state = .completed
            if isReliable {
                state = .terminated
                return [.send(.response(response)), .terminate]
            }
            return [.send(.response(response)), .startTimer(.j, timers.transactionTimeout)]
        case .completed, .terminated:
            return []
        }
    }

    /// A timer of this transaction fired; stale timers are ignored.
    public mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        guard timer == .j, state == .completed else { return [] }
        state = .terminated
        return [.terminate]
    }

    /// The transport failed to send a response (§17.2.4).
    public mutating func transportError() -> [SIPTransactionAction] {
        guard state == .proceeding || state == .completed else { return [] }
        state = .terminated
        return [.transportError, .terminate]
    }
}
