import Crypto
public import SIPCore
public import SIPTransport

/// The request of one branch (RFC 3261 §16.6 steps 1–8) and the CANCEL of a branch (§9.1).
public enum ProxyBranch {
    /// What a branch's request is built from.
    public struct Input: Sendable {
        /// The request after route processing (our Route removed, our credentials consumed).
        public var request: SIPRequest
        /// The request's Max-Forwards as received (nil when absent).
        public var maxForwards: Int?
        /// Where it came from (the upstream flow).
        public var source: SIPSource
        /// Whether this proxy stays on the dialog's path (Record-Route, step 4).
        public var recordRoute: Bool
        /// The loop-detection hash of the request as received (``LoopDetector``).
        public var loopHash: String

        public init(request: SIPRequest, maxForwards: Int?, source: SIPSource, recordRoute: Bool, loopHash: String) {
            self.request = request
            self.maxForwards = maxForwards
            self.source = source
            self.recordRoute = recordRoute
            self.loopHash = loopHash
        }
    }

    /// True for requests we record-route (§16.6 step 4): dialog-creating INVITE, SUBSCRIBE and
    /// REFER, and every NOTIFY — a NOTIFY of a forked SUBSCRIBE sets up the subscriber's dialog
    /// and its route set (RFC 6665 §4.1.2.4).
    public static func recordsRoute(_ method: SIPMethod, hasToTag: Bool) -> Bool {
        switch method {
        case .notify: true
        case .invite, .subscribe, .refer: !hasToTag
        default: false
        }
    }

    /// The branch request for `target`, sent over `outbound`: Request-URI (step 2),
    /// Max-Forwards (step 3), Record-Route — two when the transports differ, carrying the flow
    /// token of RFC 5626 §5.3 — (step 4), the target's Route values (step 6), and our Via with
    /// a new branch (step 8); Content-Length when the request came without one (RFC 3261
    /// §18.3: it may have come over UDP and go out over a stream).
    public static func request(
        _ input: Input, target: ProxyTarget, outbound: SIPTransportProtocol, destination: SIPDestination?,
        listeners: ProxyListeners, flowKey: FlowTokenKey
    ) -> SIPRequest {
        var request = input.request
        request.uri = target.requestURI
        request.headers.set(.maxForwards, String(max(0, (input.maxForwards ?? 71) - 1)))
        if input.recordRoute {
            let token = FlowToken(
                upstream: FlowToken.flow(of: input.source), downstream: target.isFlow ? destination : nil
            ).encoded(key: flowKey)
            var values: [String] = []
            if let outer = listeners.recordRoute(transport: outbound, flowToken: token) { values.append(outer) }
            if input.source.transport != outbound,
                let inner = listeners.recordRoute(transport: input.source.transport, flowToken: token)
            {
                values.append(inner)
            }
            let at = request.headers.firstIndex(of: .recordRoute) ?? 0
            for value in values.reversed() { request.headers.insert(SIPHeaderField(.recordRoute, value), at: at) }
        }
        if !target.routes.isEmpty {
            let at = request.headers.firstIndex(of: .route) ?? request.headers.count
            for value in target.routes.reversed() { request.headers.insert(SIPHeaderField(.route, value), at: at) }
        }
        let sentBy = listeners.sentBy(for: outbound) ?? "127.0.0.1"
        request.headers.prepend(
            SIPHeaderField(
                .via,
                "SIP/2.0/\(outbound.rawValue) \(sentBy);branch=\(LoopDetector.branch(hash: input.loopHash));rport"))
        return request
    }

    /// The CANCEL for a branch's INVITE (§9.1): same Request-URI, Call-ID, From, To, CSeq
    /// number and Route, the INVITE's top Via only.
    public static func cancel(for invite: SIPRequest) -> SIPRequest {
        var headers = SIPHeaders()
        if let via = invite.headers.first(.via) { headers.append(via) }
        headers.append(.maxForwards, "70")
        for name in [SIPHeaderName.from, .to, .callID] {
            if let field = invite.headers.first(name) { headers.append(field) }
        }
        let sequence = (try? invite.cseq.sequence) ?? 1
        headers.append(.cseq, "\(sequence) CANCEL")
        for route in invite.headers.all(.route) { headers.append(route) }
        headers.append(.contentLength, "0")
        return SIPRequest(method: .cancel, uri: invite.uri, headers: headers)
    }
}
