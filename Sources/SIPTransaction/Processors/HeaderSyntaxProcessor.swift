public import SIPCore

/// Header syntax beyond the essentials (RFC 3261 §8.2.2 ff.; RFC 4475 §3.1.2): a request whose
/// Contact cannot be parsed is answered 400 naming the fault, whatever its method — before a
/// later processor answers it as if it were well formed (200 to OPTIONS, 501 to INVITE). The
/// parsed Contact list is kept in the context (``ParsedContacts``) for the processors after it,
/// so a REGISTER's Contact is parsed once.
public struct HeaderSyntaxProcessor: SIPRequestProcessor {
    let limits: SIPParserLimits

    public init(limits: SIPParserLimits = .default) {
        self.limits = limits
    }

    /// The request's Contact list as parsed by ``HeaderSyntaxProcessor``.
    public enum ParsedContacts: SIPRequestContextKey {
        public typealias Value = SIPContactList
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let request = context.request
        guard request.method != .ack, request.method != .cancel, request.headers.contains(.contact) else {
            return .continue
        }
        do {
            context[ParsedContacts.self] = try request.contacts(limits: limits)
        } catch {
            throw SIPResponseError(error.statusCode, error.reason)
        }
        return .continue
    }
}
