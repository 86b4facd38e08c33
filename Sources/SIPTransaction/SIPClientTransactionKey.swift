public import SIPCore

/// Identifies a client transaction (RFC 3261 §17.1.3): the branch of the top Via of the request
/// that created it and the method of that request. A response matches when its top Via branch
/// and its CSeq method are equal to these (the method separates a CANCEL from its INVITE,
/// which share a branch).
public struct SIPClientTransactionKey: Sendable, Hashable {
    public var branch: String
    public var method: SIPMethod

    public init(branch: String, method: SIPMethod) {
        self.branch = branch
        self.method = method
    }

    /// The key of a request about to be sent; nil without a branch parameter.
    public init?(request: SIPRequest) {
        guard let branch = try? request.topVia.branch, !branch.isEmpty else { return nil }
        self.init(branch: branch, method: request.method)
    }

    /// The key a response matches; nil when the top Via or CSeq is missing or malformed.
    public init?(response: SIPResponse) {
        guard let branch = try? response.topVia.branch, let cseq = try? response.cseq else { return nil }
        self.init(branch: branch, method: cseq.method)
    }
}
