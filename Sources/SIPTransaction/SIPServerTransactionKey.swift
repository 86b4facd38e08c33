public import SIPCore

/// Identifies a server transaction (RFC 3261 §17.2.3).
///
/// - ``rfc3261(branch:sentBy:method:)``: for a top Via branch starting with `z9hG4bK`, the
///   branch, the sent-by (host lower-cased, port as written) and the method, where ACK counts
///   as INVITE (it belongs to the INVITE transaction it acknowledges). CANCEL keeps its own
///   method: it is a transaction of its own (§9.2).
/// - ``rfc2543(_:)``: for older clients, the Request-URI, From tag, Call-ID, CSeq and top Via
///   of the request. The To tag is compared separately (see ``SIPLegacyTransactionKey``).
public enum SIPServerTransactionKey: Sendable, Hashable {
    case rfc3261(branch: String, sentBy: String, method: SIPMethod)
    indirect case rfc2543(SIPLegacyTransactionKey)

    /// The key of the transaction `request` belongs to (ACK maps to its INVITE).
    public init(request: SIPRequest) throws(SIPParseError) {
        let method = request.method == .ack ? SIPMethod.invite : request.method
        self = try Self.make(request, method: method)
    }

    /// The key of the transaction a request belongs to, from its essentials parsed at ingress
    /// (no header is parsed again). ACK maps to its INVITE.
    public init(request: SIPRequest, essentials: SIPRequestEssentials) {
        let method = request.method == .ack ? SIPMethod.invite : request.method
        self = Self.make(request, essentials: essentials, method: method)
    }

    /// The key of the INVITE transaction a CANCEL cancels, from its essentials (§9.2).
    public init(cancelTarget cancel: SIPRequest, essentials: SIPRequestEssentials) {
        self = Self.make(cancel, essentials: essentials, method: .invite)
    }

    private static func make(_ request: SIPRequest, essentials: SIPRequestEssentials, method: SIPMethod) -> Self {
        let via = essentials.topVia
        if let branch = via.branch, branch.hasPrefix(SIPVia.magicCookie) {
            return .rfc3261(branch: branch, sentBy: via.sentByKey, method: method)
        }
        return .rfc2543(
            SIPLegacyTransactionKey(
                requestURI: request.uri, fromTag: essentials.from.tag, callID: essentials.callID,
                sequence: essentials.cseq.sequence, method: method,
                topVia: "\(via.transport) \(via.sentByKey);branch=\(via.branch ?? "")"))
    }

    /// The key of the INVITE transaction a CANCEL cancels (§9.2: the CANCEL is matched as if
    /// its method were that of the request it cancels).
    public init(cancelTarget cancel: SIPRequest) throws(SIPParseError) {
        self = try Self.make(cancel, method: .invite)
    }

    /// The method part of the key (ACK is reported as INVITE).
    public var method: SIPMethod {
        switch self {
        case .rfc3261(_, _, let method): method
        case .rfc2543(let key): key.method
        }
    }

    private static func make(_ request: SIPRequest, method: SIPMethod) throws(SIPParseError) -> Self {
        let via = try request.topVia
        if let branch = via.branch, branch.hasPrefix(SIPVia.magicCookie) {
            return .rfc3261(branch: branch, sentBy: via.sentByKey, method: method)
        }
        let cseq = try request.cseq
        let from = try request.from
        guard let callID = request.callID else { throw SIPParseError(.missingHeader, "missing Call-ID") }
        return .rfc2543(
            SIPLegacyTransactionKey(
                requestURI: request.uri, fromTag: from.tag, callID: String(callID), sequence: cseq.sequence,
                method: method, topVia: "\(via.transport) \(via.sentByKey);branch=\(via.branch ?? "")"))
    }
}

/// The RFC 2543 matching fields of §17.2.3 other than the To tag: Request-URI (compared per
/// §19.1.4), From tag, Call-ID, CSeq number and method (ACK and CANCEL count as INVITE for the
/// transaction they belong to), and the top Via's transport, sent-by and branch.
///
/// The To tag is left out of the key because an ACK carries the tag of the *response* while
/// the INVITE carried the request's; the driver compares it after the lookup.
public struct SIPLegacyTransactionKey: Sendable, Hashable {
    public var requestURI: SIPURI
    public var fromTag: String?
    public var callID: String
    public var sequence: UInt32
    public var method: SIPMethod
    public var topVia: String
}

extension SIPVia {
    /// `host[:port]` with the host lower-cased: the sent-by as compared by §17.2.3.
    var sentByKey: String {
        let lowered = String(host.lowercased())
        guard let port else { return lowered }
        return "\(lowered):\(port)"
    }
}

extension SIPRequest {
    /// The To tag, nil when absent or unparsable.
    var toTag: String? { (try? to)?.tag }
}

extension SIPResponse {
    /// The To tag, nil when absent or unparsable.
    var toTag: String? { (try? to)?.tag }
}
