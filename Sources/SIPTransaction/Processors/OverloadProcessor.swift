import Logging
import Metrics
public import SIPCore

/// Overload control: while the server is overloaded, part of the new work is refused early and
/// cheaply with 503 Service Unavailable and `Retry-After` (RFC 3261 §21.5.4, §20.33), so that
/// work already under way — the authenticated half of a registration that was challenged
/// before the overload — still completes, and goodput does not collapse under retransmissions.
/// How much is admitted adapts to what the server manages (``SIPAdmissionControl``).
///
/// Only requests that *start* work are shed: methods in ``shedMethods`` that carry no
/// credentials (their digest and storage work has not begun). Requests with credentials,
/// OPTIONS, CANCEL and ACK always pass, so the server stays responsive. The check is one call
/// of ``isOverloaded`` (two atomic loads in the server: the UDP receive backlog and the commit
/// backlog) and a header scan, before any credential is parsed or storage touched.
public struct OverloadProcessor: SIPRequestProcessor {
    let shedMethods: Set<SIPMethod>
    let retryAfterSeconds: Int
    let isOverloaded: @Sendable () -> Bool
    let admission: SIPAdmissionControl
    private let shed = Counter(label: "sip_overload_shed_total")

    /// - Parameters:
    ///   - shedMethods: methods whose new requests are shed (default REGISTER).
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

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let request = context.request
        guard shedMethods.contains(request.method),
            !request.headers.contains(.authorization), !request.headers.contains(.proxyAuthorization),
            !admission.admit(overloaded: isOverloaded())
        else { return .continue }
        shed.increment()
        context.event.level = .debug
        throw SIPResponseError(
            503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, String(retryAfterSeconds))],
            outcome: "request.shed")
    }
}
