import Crypto
public import SIPCore
public import SIPTransaction

/// Route information processing (RFC 3261 §16.4), before anything looks at the target:
///
/// 1. Strict-route fixup: a Request-URI that is one of our Record-Route URIs was put there by a
///    strict router upstream; the real target is the last Route value, which moves into the
///    Request-URI (§16.4, §16.12.1.2).
/// 2. Our own Route values at the top of the Route set are removed (both of a double
///    Record-Route). Their flow token (RFC 5626 §5.3) is kept.
///
/// The result goes into the context (``ProxyContext/Request``, ``ProxyContext/Routing``);
/// a request with no Route and an ordinary Request-URI costs one header lookup.
public struct RouteProcessor: SIPRequestProcessor {
    let listeners: ProxyListeners
    let flowKey: FlowTokenKey

    public init(listeners: ProxyListeners, flowKey: FlowTokenKey) {
        self.listeners = listeners
        self.flowKey = flowKey
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method != .cancel else { return .continue }
        var request = context.request
        var routing = ProxyRouting()
        do {
            try Self.process(&request, routing: &routing, listeners: listeners, flowKey: flowKey)
        } catch {
            throw SIPResponseError.badRequest(error.reason)
        }
        if routing.hadOurRoute { context[ProxyContext.Request.self] = request }
        context[ProxyContext.Routing.self] = routing
        return .continue
    }

    /// §16.4 on `request`; shared with the stateless forwarding of ACK.
    static func process(
        _ request: inout SIPRequest, routing: inout ProxyRouting, listeners: ProxyListeners, flowKey: FlowTokenKey
    ) throws(SIPParseError) {
        let isStrictRouted = listeners.isUs(request.uri)
        guard isStrictRouted || request.headers.contains(.route) else { return }
        if isStrictRouted {
            routing.hadOurRoute = true
            remember(request.uri, in: &routing, flowKey: flowKey)
            guard let last = request.headers.indices.last(where: { request.headers[$0].name == .route }) else { return }
            let values = try request.headers.values(at: last)
            guard let lastValue = values.last else { return }
            request.uri = try SIPNameAddress(parsing: lastValue).uri
            try request.headers.removeValue(at: last, valueIndex: values.count - 1)
        }
        while let first = request.headers.firstIndex(of: .route) {
            let values = try request.headers.values(at: first)
            guard let top = values.first else {
                _ = request.headers.remove(at: first)
                continue
            }
            let uri = try SIPNameAddress(parsing: top).uri
            guard listeners.isUs(uri) else { return }
            routing.hadOurRoute = true
            remember(uri, in: &routing, flowKey: flowKey)
            try request.headers.removeValue(at: first, valueIndex: 0)
        }
    }

    private static func remember(_ uri: SIPURI, in routing: inout ProxyRouting, flowKey: FlowTokenKey) {
        guard routing.flowToken == nil, let user = uri.user, let token = FlowToken(decoding: user, key: flowKey) else {
            return
        }
        routing.flowToken = token
    }
}
