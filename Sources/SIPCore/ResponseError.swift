/// A request that is answered with an error response (RFC 3261 §8.2, §21.4–21.6), with what the
/// response needs: the status, a reason phrase that says what was wrong, and extra header fields
/// (Min-Expires for 423, Unsupported for 420, WWW-Authenticate for 401, Retry-After for 503).
///
/// Any request processor throws it; the processor chain renders it as the response and logs it
/// once, under ``outcome`` (e.g. `register.bad_request`). The reason phrase is sanitised like a
/// parse error's (printable ASCII, no CR/LF, bounded) and never carries a secret.
public struct SIPResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status code, 300–699.
    public var statusCode: Int
    /// The reason phrase of the response.
    public var reasonPhrase: String
    /// Header fields added to the response, in order.
    public var headers: [SIPHeaderField]
    /// The name of the structured log event, e.g. `register.lockout`; nil lets the chain name it
    /// from the method and status.
    public var outcome: String?

    public init(_ statusCode: Int, _ reasonPhrase: String? = nil, headers: [SIPHeaderField] = [], outcome: String? = nil) {
        self.statusCode = statusCode
        self.reasonPhrase = SIPParseError.sanitize(reasonPhrase ?? SIPResponse.defaultReasonPhrase(statusCode))
        self.headers = headers
        self.outcome = outcome
    }

    /// 400 Bad Request with a reason that names the fault (RFC 3261 §21.4.1).
    public static func badRequest(_ reason: String, outcome: String? = nil) -> SIPResponseError {
        SIPResponseError(400, reason, outcome: outcome)
    }

    /// The error a parse error is answered with: its status (400, 416, 505, 513) and reason.
    public init(_ error: SIPParseError, outcome: String? = nil) {
        self.init(error.statusCode, error.reason, outcome: outcome)
    }

    public var description: String { "\(statusCode) \(reasonPhrase)" }
}

extension SIPResponse {
    /// The response that renders `error` for `request`: its status, reason and headers, with a
    /// To tag (RFC 3261 §8.2.6.2).
    public init(answering request: SIPRequest, error: SIPResponseError, toTag: String? = SIPTag.random()) {
        self.init(answering: request, statusCode: error.statusCode, reasonPhrase: error.reasonPhrase, toTag: toTag)
        for field in error.headers { headers.insert(field, at: headers.count - 1) }
    }
}
