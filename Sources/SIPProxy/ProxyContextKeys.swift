public import SIPAuth
public import SIPCore
public import SIPTransaction
public import SIPTransport

/// What the proxy processors learn about a request and hand on through the
/// ``SIPRequestContext`` (each is set by one processor, read by later ones).
public enum ProxyContext {
    /// The request as it will be forwarded: after route processing (RFC 3261 §16.4) and with
    /// our own credentials consumed. Set by ``RouteProcessor``.
    public enum Request: SIPRequestContextKey {
        public typealias Value = SIPRequest
    }

    /// How the request was routed to us. Set by ``RouteProcessor``.
    public enum Routing: SIPRequestContextKey {
        public typealias Value = ProxyRouting
    }

    /// The user whose digest credentials the proxy verified. Set by ``ProxyAuthProcessor``.
    public enum AuthenticatedUser: SIPRequestContextKey {
        public typealias Value = SIPAuthUsername
    }

    /// True when the source is a trusted peer (no authentication, may relay). Set by
    /// ``ProxyAuthProcessor``.
    public enum TrustedSource: SIPRequestContextKey {
        public typealias Value = Bool
    }

    /// Where the request goes. Set by ``TargetProcessor``.
    public enum Targets: SIPRequestContextKey {
        public typealias Value = TargetSet
    }
}

/// What route processing found (RFC 3261 §16.4).
public struct ProxyRouting: Sendable, Hashable {
    /// One of our Record-Route URIs was at the top of the Route set (or in the Request-URI,
    /// from a strict router): an in-dialog request of a dialog we record-routed.
    public var hadOurRoute: Bool
    /// The flow token our Route carried (RFC 5626 §5.3), when it was valid.
    public var flowToken: FlowToken?

    public init(hadOurRoute: Bool = false, flowToken: FlowToken? = nil) {
        self.hadOurRoute = hadOurRoute
        self.flowToken = flowToken
    }
}

extension SIPRequestContext {
    /// The request to forward: the one route processing left, else the request as received.
    public var proxyRequest: SIPRequest {
        get { self[ProxyContext.Request.self] ?? request }
        set { self[ProxyContext.Request.self] = newValue }
    }
}
