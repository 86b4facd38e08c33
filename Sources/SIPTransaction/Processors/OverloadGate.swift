import Metrics
public import SIPCore

/// Decides, before a server transaction is created for a new request, whether to refuse it at
/// once — statelessly (RFC 3261 §8.2.7), without a transaction, a processor chain or a log line.
/// For overload control: see ``SIPOverloadGate``.
public protocol SIPAdmissionGate: Sendable {
    /// The error to answer `request` with, or nil to let it through.
    func refusal(for request: SIPRequest, essentials: SIPRequestEssentials) -> SIPResponseError?
}

/// Overload control: while the server is overloaded, part of the new work is refused with
/// 503 Service Unavailable and `Retry-After` (RFC 3261 §21.5.4, §20.33), so that the work already
/// under way — the authenticated half of a registration challenged before the overload — still
/// completes and goodput does not collapse under retransmissions. How much is admitted adapts to
/// what the server manages (``SIPAdmissionControl``).
///
/// Only requests that *start* work are refused: methods in ``shedMethods`` that carry no
/// credentials (their digest and storage work has not begun). Requests with credentials,
/// OPTIONS, CANCEL and ACK always pass, so the server stays responsive. The check runs in the
/// transaction layer before a transaction exists: one call of ``isOverloaded`` (two atomic loads
/// in the server) and a header scan; a refused request costs its parse and one response, and is
/// counted in `sip_overload_shed_total` rather than logged.
public struct SIPOverloadGate: SIPAdmissionGate {
    let shedMethods: Set<SIPMethod>
    let retryAfterSeconds: Int
    let isOverloaded: @Sendable () -> Bool
    let admission: SIPAdmissionControl
    private let shed = Counter(label: "sip_overload_shed_total")

    /// - Parameters:
    ///   - shedMethods: methods whose new requests are refused (default REGISTER).
    ///   - retryAfterSeconds: the `Retry-After` value (default 5).
    ///   - admission: how much new work is admitted under overload.
    ///   - isOverloaded: the overload signal.
    public init(
        shedMethods: Set<SIPMethod> = [.register], retryAfterSeconds: Int = 5,
        admission: SIPAdmissionControl = SIPAdmissionControl(), isOverloaded: @escaping @Sendable () -> Bool
    ) {
        self.shedMethods = shedMethods
        self.retryAfterSeconds = retryAfterSeconds
        self.admission = admission
        self.isOverloaded = isOverloaded
    }

    public func refusal(for request: SIPRequest, essentials: SIPRequestEssentials) -> SIPResponseError? {
        guard shedMethods.contains(request.method),
            !request.headers.contains(.authorization), !request.headers.contains(.proxyAuthorization),
            !admission.admit(overloaded: isOverloaded())
        else { return nil }
        shed.increment()
        return SIPResponseError(
            503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, String(retryAfterSeconds))],
            outcome: "request.shed")
    }
}
