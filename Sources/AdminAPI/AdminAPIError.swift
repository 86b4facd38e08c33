public import HTTPTypes
public import Hummingbird
public import SIPStorage
import Foundation

/// Every error of the admin API: configuration errors the composition root gets from
/// ``AdminServer/init(listen:credentials:locations:provisioning:domains:limits:clock:logger:)`` and the
/// errors a request is answered with. A request error becomes a JSON response
/// `{"error": "…"}` (plus `"line": N` for a rejected import) with a 4xx/5xx status
/// (RFC 9110 §15.5); messages never contain a password.
public enum AdminAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `--admin` URL cannot be used as a listener.
    case invalidListenURL(String, reason: String)
    /// The request cannot be served as sent (400, or another status such as 404/409/413/503).
    case request(status: Int, message: String, line: Int? = nil)

    /// A 400 Bad Request with `message`.
    public static func badRequest(_ message: String, line: Int? = nil) -> AdminAPIError {
        .request(status: 400, message: message, line: line)
    }

    /// Maps a storage error onto the status a client should see: invalid input 400, unknown user,
    /// instrument or line 404, existing user, instrument or line 409, a full or stopping writer 503, backend failures 500.
    public init(_ error: StorageError) {
        switch error {
        case .invalidUserName, .reservedUserName, .invalidDomain, .invalidPassword, .invalidInstrument:
            self = .request(status: 400, message: error.description)
        case .importRejected(let rejection):
            self = .request(status: 400, message: "import rejected, nothing written: \(rejection)", line: rejection.line)
        case .userNotFound, .instrumentNotFound, .lineNotFound:
            self = .request(status: 404, message: error.description)
        case .userExists, .instrumentExists, .lineExists:
            self = .request(status: 409, message: error.description)
        case .shuttingDown, .overloaded:
            self = .request(status: 503, message: error.description)
        case .undecryptableCredential, .keyFile, .insecureKeyFile, .backend:
            self = .request(status: 500, message: error.description)
        }
    }

    /// The HTTP status code (500 for a configuration error, which is never sent).
    public var statusCode: Int {
        switch self {
        case .invalidListenURL: 500
        case .request(let status, _, _): status
        }
    }

    /// The message of the `error` field.
    public var message: String {
        switch self {
        case .invalidListenURL(let url, let reason): "invalid admin listen URL '\(url)': \(reason)"
        case .request(_, let message, _): message
        }
    }

    public var description: String { message }
}

extension AdminAPIError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var line: Int?
        if case .request(_, _, let errorLine) = self { line = errorLine }
        return try AdminJSON.response(AdminErrorBody(error: message, line: line), status: status)
    }
}
