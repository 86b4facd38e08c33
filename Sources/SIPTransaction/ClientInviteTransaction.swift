public import SIPCore

/// The INVITE client transaction of RFC 3261 §17.1.1, with the Accepted state of RFC 6026 §7.2.
///
/// ```
/// Calling ──1xx──▶ Proceeding ──300-699──▶ Completed ──Timer D──▶ Terminated
///    │  └──2xx──▶ Accepted ◀──2xx──┘                                ▲
///    └─Timer B─▶ Terminated           Accepted ──Timer M────────────┘
/// ```
///
/// - Calling: the request is retransmitted on timer A (T1, doubling, unreliable transports
///   only); timer B (64·T1) ends the transaction with a timeout.
/// - 300–699: the transaction sends the ACK of §17.1.1.3 itself, passes the response up and
///   waits timer D (32 s on UDP, 0 on TCP/TLS) absorbing retransmissions, answering each with
///   the ACK again.
/// - 2xx: passed up; the TU sends the ACK (§13.2.2.4). Per RFC 6026 the transaction stays in
///   Accepted for timer M (64·T1) and passes every further 2xx (retransmissions, forks) up.
public struct ClientInviteTransaction: Sendable {
    /// The states of figure 5 plus RFC 6026 Accepted.
    public enum State: Sendable, Hashable {
        case calling, proceeding, accepted, completed, terminated
    }

    public private(set) var state: State = .calling
    /// The INVITE this transaction sends.
    public let request: SIPRequest
    /// True on TCP/TLS: no retransmissions, timer D is zero.
    public let isReliable: Bool
    public let timers: SIPTimerConfiguration
    private var timerAInterval: Duration

    public init(request: SIPRequest, isReliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.isReliable = isReliable
        self.timers = timers
        self.timerAInterval = timers.t1
    }

    /// Sends the request and starts timers A (unreliable only) and B.
    public mutating func start() -> [SIPTransactionAction] {
        var actions: [SIPTransactionAction] = [.send(.request(request))]
        if !isReliable { actions.append(.startTimer(.a, timerAInterval)) }
        actions.append(.startTimer(.b, timers.transactionTimeout))
        return actions
    }

    /// A response matched to this transaction (§17.1.3).
    public mutating func receiveResponse(_ response: SIPResponse) -> [SIPTransactionAction] {
        switch state {
        case .calling, .proceeding:
            var actions = state == .calling ? stopCallingTimers() : []
            if response.isProvisional {
                state = .proceeding
                actions.append(.passToTU(.response(response)))
            } else if response.isSuccess {
                state = .accepted
                actions.append(.passToTU(.response(response)))
                actions.append(.startTimer(.m, timers.transactionTimeout))
            } else {
                state = .completed
                actions.append(.send(.request(acknowledgement(for: response))))
                actions.append(.passToTU(.response(response)))
                actions.append(contentsOf: wait(.d, isReliable ? .zero : timers.timerD))
            }
            return actions
        case .accepted:
            // RFC 6026 §7.2: further 2xx (retransmitted or from other forks) go to the TU.
            return response.isSuccess ? [.passToTU(.response(response))] : []
        case .completed:
            // A retransmitted final response is answered with the ACK again and not passed up.
            return response.isFinal && !response.isSuccess ? [.send(.request(acknowledgement(for: response)))] : []
        case .terminated:
            return []
        }
    }

    /// A timer of this transaction fired; stale timers are ignored.
    public mutating func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        switch (timer, state) {
        case (.a, .calling):
            timerAInterval = timerAInterval * 2
            return [.send(.request(request)), .startTimer(.a, timerAInterval)]
        case (.b, .calling):
            state = .terminated
            return (isReliable ? [] : [.cancelTimer(.a)]) + [.timeout, .terminate]
        case (.d, .completed), (.m, .accepted):
            state = .terminated
            return [.terminate]
        default:
            return []
        }
    }

    /// The transport failed to send the request or the ACK (§17.1.4).
    public mutating func transportError() -> [SIPTransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.transportError, .terminate]
    }

    /// The ACK for a non-2xx final response (§17.1.1.3): Request-URI, Call-ID, From, CSeq
    /// number and Route of the INVITE, the To of the response, the INVITE's top Via only.
    public func acknowledgement(for response: SIPResponse) -> SIPRequest {
        var headers = SIPHeaders()
        if let via = request.headers.first(.via) {
            // Only the top Via value, even if the INVITE's first Via line held several.
            let value = (try? request.topVia).map(\.description) ?? String(via.value)
            headers.append(.via, value)
        }
        for field in request.headers.fields where field.name == .maxForwards { headers.append(field) }
        for field in request.headers.fields where field.name == .from { headers.append(field) }
        if let to = response.headers.first(.to) ?? request.headers.first(.to) { headers.append(to) }
        for field in request.headers.fields where field.name == .callID { headers.append(field) }
        let sequence = (try? request.cseq.sequence) ?? 0
        headers.append(.cseq, SIPCSeq(sequence: sequence, method: .ack).description)
        for field in request.headers.fields where field.name == .route { headers.append(field) }
        headers.append(.contentLength, "0")
        return SIPRequest(method: .ack, uri: request.uri, headers: headers)
    }

    private func stopCallingTimers() -> [SIPTransactionAction] {
        isReliable ? [.cancelTimer(.b)] : [.cancelTimer(.a), .cancelTimer(.b)]
    }

    private mutating func wait(_ timer: SIPTransactionTimer, _ duration: Duration) -> [SIPTransactionAction] {
        guard duration > .zero else {
            state = .terminated
            return [.terminate]
        }
        return [.startTimer(timer, duration)]
    }
}
