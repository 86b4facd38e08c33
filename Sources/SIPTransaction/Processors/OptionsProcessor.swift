public import SIPCore

/// OPTIONS addressed to us (RFC 3261 §11.2): 200 with `Allow`, `Accept`, `Supported` and
/// `Allow-Events` derived from what the chain's processors declare, so the answer never
/// advertises what nothing handles; 420 with `Unsupported` when the request requires an
/// extension we lack (§8.2.2.3).
public struct OptionsProcessor: SIPRequestProcessor {
    let identity: SIPLocalIdentity
    let serverHeader: String?
    /// Whether an OPTIONS to a user at our domain (`sip:69@example.net`) is answered here. With a
    /// proxy in the chain it is not: it is for that user's phones (§11), and the proxy forwards
    /// it; OPTIONS to the server itself (no user part) is answered either way.
    let answersUserURIs: Bool

    /// Methods every chain answers: the transaction layer absorbs ACK, and CANCEL and OPTIONS
    /// are answered by the core processors.
    public static let coreMethods: [SIPMethod] = [.options, .cancel, .ack]

    public init(identity: SIPLocalIdentity, serverHeader: String? = nil, answersUserURIs: Bool = true) {
        self.identity = identity
        self.serverHeader = serverHeader
        self.answersUserURIs = answersUserURIs
    }

    public var capabilities: SIPProcessorCapabilities { SIPProcessorCapabilities(methods: Self.coreMethods) }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let uri = context.request.uri
        guard context.request.method == .options, identity.isAddressedToUs(uri) else { return .continue }
        guard answersUserURIs || (uri.user ?? "").isEmpty else { return .continue }
        return try answer(&context)
    }

    /// The 200 (or 420) to an OPTIONS we answer.
    func answer(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let capabilities = context.capabilities
        try SIPRequireCheck.check(context.request, supported: capabilities.supported)
        var response = SIPResponse(answering: context.request, statusCode: 200, toTag: SIPTag.random())
        response.headers.removeAll(.contentLength)
        response.headers.append(.allow, capabilities.allowValue)
        // An empty Accept says that no body is accepted (§20.1); absent would mean SDP.
        response.headers.append(.accept, capabilities.acceptValue)
        if !capabilities.supported.isEmpty { response.headers.append(.supported, capabilities.supportedValue) }
        if !capabilities.events.isEmpty { response.headers.append(.allowEvents, capabilities.eventsValue) }
        if let serverHeader { response.headers.append(.server, serverHeader) }
        response.headers.append(.contentLength, "0")
        return .respond(response)
    }
}

/// The `Require` rule of RFC 3261 §8.2.2.3 for a request we answer as UAS: every option tag it
/// requires must be one we support, else 420 Bad Extension listing the others in `Unsupported`.
/// (ACK and CANCEL are exempt: they are not rejected for their Require.)
public enum SIPRequireCheck {
    public static func check(_ request: SIPRequest, supported: [String]) throws(SIPResponseError) {
        guard request.method != .ack, request.method != .cancel else { return }
        let required: [String]
        do { required = try request.require } catch { throw SIPResponseError.badRequest("Invalid Require") }
        let unsupported = required.filter { tag in !supported.contains { $0.lowercased() == tag.lowercased() } }
        guard !unsupported.isEmpty else { return }
        throw SIPResponseError(
            420, "Bad Extension", headers: [SIPHeaderField(.unsupported, unsupported.joined(separator: ", "))],
            outcome: SIPRequestEvent.defaultOutcome(method: request.method, status: 420))
    }
}
