extension SIPResponse {
    /// A response to `request` (RFC 3261 §8.2.6.2): copies Via (all, in order), From, To,
    /// Call-ID and CSeq; adds `toTag` to To when To has no tag yet; sets Content-Length: 0.
    public init(answering request: SIPRequest, statusCode: Int, reasonPhrase: String? = nil, toTag: String? = nil) {
        self.init(
            answering: SIPReplyHeaders(request: request), statusCode: statusCode, reasonPhrase: reasonPhrase,
            toTag: toTag)
    }

    /// A response built from the headers kept by a parse error (see ``SIPParseError/replyHeaders``).
    public init(answering reply: SIPReplyHeaders, statusCode: Int, reasonPhrase: String? = nil, toTag: String? = nil) {
        var headers = SIPHeaders(reservingCapacity: reply.fields.count + 2)
        for field in reply.fields {
            if field.name == .to, let toTag, statusCode > 100,
                let to = try? SIPNameAddress(parsing: field.value), to.tag == nil
            {
                headers.append(SIPHeaderField(rawName: field.rawName, value: Substring("\(field.value);tag=\(toTag)"), name: .to, line: nil))
            } else {
                headers.append(field)
            }
        }
        headers.append(.contentLength, "0")
        self.init(statusCode: statusCode, reasonPhrase: reasonPhrase, headers: headers)
    }
}

extension SIPReplyHeaders {
    /// The Via, From, To, Call-ID and CSeq fields of `request`.
    public init(request: SIPRequest) {
        self.init(
            method: request.method,
            fields: request.headers.fields.filter {
                switch $0.name {
                case .via, .from, .to, .callID, .cseq: true
                default: false
                }
            })
    }
}
