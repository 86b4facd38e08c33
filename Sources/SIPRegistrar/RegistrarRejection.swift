public import SIPCore

/// A REGISTER that is answered with an error, with what the response needs (RFC 3261 §10.3,
/// §21.4): the status, a reason phrase that says what was wrong, and extra header fields
/// (Min-Expires for 423, Unsupported for 420, WWW-Authenticate for 401).
public struct RegistrarRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public var statusCode: Int
    public var reasonPhrase: String
    public var headers: [SIPHeaderField]
    /// The structured log outcome, e.g. `register.bad_request`.
    public var outcome: String

    public init(_ statusCode: Int, _ reasonPhrase: String, headers: [SIPHeaderField] = [], outcome: String) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase
        self.headers = headers
        self.outcome = outcome
    }

    public var description: String { "\(statusCode) \(reasonPhrase)" }

    static func badRequest(_ reason: String) -> RegistrarRejection {
        RegistrarRejection(400, reason, outcome: "register.bad_request")
    }
}
