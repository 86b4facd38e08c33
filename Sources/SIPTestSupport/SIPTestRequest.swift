public import SIPCore

/// A SIP request as a phone writes it (RFC 3261 §7, §8.1.1), built as wire text so tests see
/// real traffic, and parsed with ``SIPMessageParser`` on demand. The initializer builds any
/// method (INVITE, ACK, CANCEL…); `register(…)` and `options(…)` fill in the usual fields.
///
/// The text is the request line, then Via (one line per value, top first), Max-Forwards, From,
/// To, Call-ID, CSeq, Contact (one line per value), Expires, the extra ``headers`` verbatim,
/// Authorization, Content-Length and the body.
public struct SIPTestRequest: Sendable {
    public var method: SIPMethod
    public var requestURI: String
    /// Via header values, top first; see ``via(_:sentBy:branch:rport:)``.
    public var vias: [String]
    /// nil leaves the header out.
    public var maxForwards: Int?
    public var from: String
    public var to: String
    public var callID: String
    public var cseq: UInt32
    /// The CSeq method when it differs from ``method`` (a malformed request).
    public var cseqMethod: SIPMethod?
    /// Contact header values (`<sip:…>;expires=…`, or `*`).
    public var contacts: [String]
    public var expires: UInt32?
    /// Further header lines, verbatim (`"User-Agent: TestPhone/1.0"`).
    public var headers: [String]
    /// The Authorization value (RFC 3261 §22.4), e.g. from `DigestClient`.
    public var authorization: String?
    public var body: String

    public init(
        _ method: SIPMethod, uri: String, via: [String], from: String, to: String, callID: String, cseq: UInt32 = 1,
        cseqMethod: SIPMethod? = nil, maxForwards: Int? = 70, contacts: [String] = [], expires: UInt32? = nil,
        headers: [String] = [], authorization: String? = nil, body: String = ""
    ) {
        self.method = method
        self.requestURI = uri
        self.vias = via
        self.maxForwards = maxForwards
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.cseqMethod = cseqMethod
        self.contacts = contacts
        self.expires = expires
        self.headers = headers
        self.authorization = authorization
        self.body = body
    }

    /// A Via value, `SIP/2.0/UDP host:port;branch=…;rport` (RFC 3261 §18.1.1; RFC 3581 `rport`).
    /// A nil `branch` leaves the parameter out (an RFC 2543 client).
    public static func via(_ transport: String = "UDP", sentBy: String, branch: String?, rport: Bool = true) -> String {
        "SIP/2.0/\(transport.uppercased()) \(sentBy)" + (branch.map { ";branch=\($0)" } ?? "") + (rport ? ";rport" : "")
    }

    /// The header lines, in wire order, without the request line.
    public var headerLines: [String] {
        var lines = vias.map { "Via: \($0)" }
        if let maxForwards { lines.append("Max-Forwards: \(maxForwards)") }
        lines += ["From: \(from)", "To: \(to)", "Call-ID: \(callID)"]
        lines.append("CSeq: \(cseq) \((cseqMethod ?? method).rawValue)")
        lines += contacts.map { "Contact: \($0)" }
        if let expires { lines.append("Expires: \(expires)") }
        lines += headers
        if let authorization { lines.append("Authorization: \(authorization)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines
    }

    /// The request as it goes on the wire.
    public var text: String {
        (["\(method.rawValue) \(requestURI) SIP/2.0"] + headerLines).joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// ``text`` as bytes.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// ``text`` parsed as one datagram.
    public func parsed() throws -> SIPRequest {
        guard case .request(let request) = try SIPMessageParser().parse(bytes, framing: .datagram) else {
            throw SIPParseError(.malformedStartLine, "not a request")
        }
        return request
    }
}

extension SIPTestRequest {
    /// A REGISTER of `user@domain` (RFC 3261 §10.2): From and To are the AOR, Request-URI the
    /// domain.
    public static func register(
        user: String = "69", domain: String = "example.net", uri: String? = nil, via: String, callID: String,
        cseq: UInt32 = 1, to: String? = nil, contacts: [String] = [], expires: UInt32? = nil,
        headers: [String] = [], authorization: String? = nil
    ) -> SIPTestRequest {
        SIPTestRequest(
            .register, uri: uri ?? "sip:\(domain)", via: [via], from: "<sip:\(user)@\(domain)>;tag=f\(user)",
            to: to ?? "<sip:\(user)@\(domain)>", callID: callID, cseq: cseq, contacts: contacts, expires: expires,
            headers: headers, authorization: authorization)
    }

    /// An OPTIONS (RFC 3261 §11) from alice to bob, as in the RFC's examples.
    public static func options(
        uri: String = "sip:example.com", via: String, from: String = "<sip:alice@example.com>;tag=1928301774",
        to: String = "<sip:bob@example.com>", callID: String = "a84b4c76e66710", cseq: UInt32 = 63104,
        headers: [String] = [], body: String = ""
    ) -> SIPTestRequest {
        SIPTestRequest(
            .options, uri: uri, via: [via], from: from, to: to, callID: callID, cseq: cseq, headers: headers,
            body: body)
    }
}
