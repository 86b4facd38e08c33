public import SIPCore
public import SIPTransaction

/// Proxy-Require (RFC 3261 §16.3 step 5, §20.29): a request that requires a proxy extension we
/// do not support is answered 420 Bad Extension listing them in `Unsupported`. (This proxy
/// supports none; Require is for the UAS and passes untouched.)
public struct ProxyRequireProcessor: SIPRequestProcessor {
    let supported: [String]

    public init(supported: [String] = []) {
        self.supported = supported.map { $0.lowercased() }
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let request = context.request
        guard request.method != .ack, request.method != .cancel, request.headers.contains(.proxyRequire) else {
            return .continue
        }
        let required: [String]
        do { required = try request.proxyRequire } catch { throw SIPResponseError.badRequest("Invalid Proxy-Require") }
        let unsupported = required.filter { !supported.contains($0.lowercased()) }
        guard !unsupported.isEmpty else { return .continue }
        throw SIPResponseError(
            420, "Bad Extension", headers: [SIPHeaderField(.unsupported, unsupported.joined(separator: ", "))],
            outcome: SIPRequestEvent.defaultOutcome(method: request.method, status: 420))
    }
}
