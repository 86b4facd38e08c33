public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why an admin API call failed, worded for the operator who typed the command.
public enum AdminClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `--admin` URL is not `http://HOST:PORT`.
    case invalidURL(String, reason: String)
    /// No answer: connection refused, timeout, name not found.
    case unreachable(url: String, reason: String)
    /// The server answered with an error status and `{"error": …}`.
    case server(status: Int, message: String, line: Int?)
    /// The answer was not what the API promises (another program on that port?).
    case invalidResponse(url: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "invalid admin URL '\(url)': \(reason)"
        case .unreachable(let url, let reason):
            "cannot reach the switchboard admin API at \(url): \(reason) (is `switchboard serve` running? see --admin / SWITCHBOARD_ADMIN)"
        case .server(let status, let message, _): "server answered \(status): \(message)"
        case .invalidResponse(let url, let reason): "unexpected answer from \(url): \(reason)"
        }
    }
}

/// A client of the admin API (``AdminServer``) over HTTP/1.1 with Foundation's `URLSession`;
/// the `switchboard` CLI commands are thin wrappers around it.
public struct AdminClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:8080`.
    public let server: AdminListenAddress
    /// Seconds to wait for an answer (imports of many users get ``importTimeout``).
    public var timeout: Double
    /// Seconds to wait for an import to be answered.
    public var importTimeout: Double
    /// The bearer token sent with every request (`--token`, `$SWITCHBOARD_ADMIN_TOKEN`), for a
    /// server whose admin API is not on loopback.
    public var token: String?

    /// The environment variable holding the bearer token.
    public static let tokenEnvironmentVariable = "SWITCHBOARD_ADMIN_TOKEN"

    /// The environment variable naming the default admin URL.
    public static let environmentVariable = "SWITCHBOARD_ADMIN"

    /// `url` is `http://HOST:PORT` as given to `--admin`.
    public init(url: String, timeout: Double = 30, importTimeout: Double = 600, token: String? = nil) throws(AdminClientError) {
        self.token = token
        do {
            server = try AdminListenAddress(parsing: url)
        } catch {
            throw .invalidURL(url, reason: Self.reason(of: error))
        }
        self.timeout = timeout
        self.importTimeout = importTimeout
    }

    /// The URL to use: the `--admin` option, else `$SWITCHBOARD_ADMIN`, else the default.
    public static func resolveURL(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return fromEnvironment }
        return AdminListenAddress.default.description
    }

    // MARK: - Calls

    public func health() async throws(AdminClientError) -> AdminHealth {
        try await call("GET", path: ["v1", "health"], expect: AdminHealth.self)
    }

    public func status() async throws(AdminClientError) -> AdminServerStatus {
        try await call("GET", path: ["v1", "status"], expect: AdminServerStatus.self)
    }

    /// The Prometheus text of `GET /metrics`.
    public func metrics() async throws(AdminClientError) -> String {
        let (data, _) = try await send("GET", path: ["metrics"])
        return String(decoding: data, as: UTF8.self)
    }

    public func users(domain: String?) async throws(AdminClientError) -> [AdminUser] {
        try await call("GET", path: ["v1", "users"], query: [("domain", domain)], expect: [AdminUser].self)
    }

    public func addUser(_ user: AdminNewUser) async throws(AdminClientError) -> AdminCredentialResult {
        try await call("POST", path: ["v1", "users"], body: try Self.json(user), expect: AdminCredentialResult.self)
    }

    public func removeUser(user: String, domain: String) async throws(AdminClientError) {
        _ = try await send("DELETE", path: ["v1", "users", domain, user])
    }

    public func setPassword(user: String, domain: String, password: String?) async throws(AdminClientError) -> AdminCredentialResult {
        try await call(
            "PUT", path: ["v1", "users", domain, user, "password"], body: try Self.json(AdminPasswordChange(password: password)),
            expect: AdminCredentialResult.self)
    }

    /// Sends an import file as is (the server parses it, all or nothing).
    public func importUsers(file: Data) async throws(AdminClientError) -> AdminImportResult {
        try await call(
            "POST", path: ["v1", "users", "import"], body: file, contentType: "text/plain; charset=utf-8",
            timeout: importTimeout, expect: AdminImportResult.self)
    }

    public func registrations(aor: String?, instrument: String?) async throws(AdminClientError) -> [AdminRegistration] {
        try await call("GET", path: ["v1", "registrations"], query: [("aor", aor), ("instrument", instrument)], expect: [AdminRegistration].self)
    }

    public func instruments() async throws(AdminClientError) -> [AdminInstrument] {
        try await call("GET", path: ["v1", "instruments"], expect: [AdminInstrument].self)
    }

    public func instrument(mac: String) async throws(AdminClientError) -> AdminInstrument {
        try await call("GET", path: ["v1", "instruments", mac], expect: AdminInstrument.self)
    }

    public func addInstrument(_ instrument: AdminNewInstrument) async throws(AdminClientError) -> AdminInstrument {
        try await call("POST", path: ["v1", "instruments"], body: try Self.json(instrument), expect: AdminInstrument.self)
    }

    public func removeInstrument(mac: String) async throws(AdminClientError) {
        _ = try await send("DELETE", path: ["v1", "instruments", mac])
    }

    public func addLine(_ line: AdminNewLine, to mac: String) async throws(AdminClientError) -> AdminInstrument {
        try await call("POST", path: ["v1", "instruments", mac, "lines"], body: try Self.json(line), expect: AdminInstrument.self)
    }

    public func removeLine(index: Int, from mac: String) async throws(AdminClientError) -> AdminInstrument {
        try await call("DELETE", path: ["v1", "instruments", mac, "lines", String(index)], expect: AdminInstrument.self)
    }

    /// The default domain of the server (its first domain), for commands that need one in a path.
    public func defaultDomain() async throws(AdminClientError) -> String {
        guard let domain = try await health().domains.first else {
            throw .server(status: 400, message: "the server has no domain; pass --domain", line: nil)
        }
        return domain
    }

    // MARK: - URL building

    /// `http://HOST:PORT/seg/seg?name=value`: every path segment and query value percent-encoded
    /// (everything but RFC 3986 §2.3 unreserved characters), nil query values left out.
    public func url(path: [String], query: [(String, String?)] = []) -> String {
        var text = server.description
        for segment in path { text += "/" + Self.percentEncode(segment) }
        let items = query.compactMap { name, value in value.map { "\(Self.percentEncode(name))=\(Self.percentEncode($0))" } }
        if !items.isEmpty { text += "?" + items.joined(separator: "&") }
        return text
    }

    /// Percent-encodes every byte that is not an RFC 3986 unreserved character.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let isUnreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if isUnreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    // MARK: - Transport

    private func call<T: Decodable>(
        _ method: String, path: [String], query: [(String, String?)] = [], body: Data? = nil,
        contentType: String = "application/json", timeout: Double? = nil, expect: T.Type
    ) async throws(AdminClientError) -> T {
        let (data, url) = try await send(method, path: path, query: query, body: body, contentType: contentType, timeout: timeout)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .invalidResponse(url: url, reason: "the body is not the expected JSON")
        }
    }

    @discardableResult
    private func send(
        _ method: String, path: [String], query: [(String, String?)] = [], body: Data? = nil,
        contentType: String = "application/json", timeout: Double? = nil
    ) async throws(AdminClientError) -> (Data, String) {
        let urlText = url(path: path, query: query)
        guard let url = URL(string: urlText) else { throw .invalidURL(urlText, reason: "not a URL") }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout ?? self.timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout ?? self.timeout
        configuration.timeoutIntervalForResource = timeout ?? self.timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw .unreachable(url: server.description, reason: Self.reason(of: error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw .invalidResponse(url: urlText, reason: "not an HTTP response")
        }
        guard (200..<300).contains(http.statusCode) else {
            if let error = try? JSONDecoder().decode(AdminErrorBody.self, from: data) {
                throw .server(status: http.statusCode, message: error.error, line: error.line)
            }
            throw .server(status: http.statusCode, message: HTTPURLResponse.localizedString(forStatusCode: http.statusCode), line: nil)
        }
        return (data, urlText)
    }

    private static func json(_ value: some Encodable) throws(AdminClientError) -> Data {
        do {
            return try AdminJSON.encode(value)
        } catch {
            throw .invalidResponse(url: "", reason: "cannot encode the request")
        }
    }

    private static func reason(of error: any Error) -> String {
        if let error = error as? URLError {
            switch error.code {
            case .cannotConnectToHost: return "connection refused"
            case .timedOut: return "timed out"
            case .cannotFindHost: return "host not found"
            case .networkConnectionLost: return "connection lost"
            default: return error.localizedDescription
            }
        }
        if let error = error as? AdminAPIError {
            if case .invalidListenURL(_, let reason) = error { return reason }
            return error.message
        }
        return "\(error)"
    }
}
