import Hummingbird

/// Guards every admin route with a bearer token (RFC 6750 §2.1) when the admin API listens
/// beyond loopback (`admin.token`): a request without `Authorization: Bearer TOKEN`, or with
/// another token, is answered 401 with `WWW-Authenticate: Bearer`. Tokens are compared in time
/// independent of where they differ.
struct AdminBearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let given = request.headers[.authorization].flatMap(Self.bearer), Self.equal(given, token) else {
            var response = try AdminJSON.response(
                AdminErrorBody(error: "missing or wrong bearer token (see --token / SWITCHBOARD_ADMIN_TOKEN)"),
                status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer realm=\"switchboard-admin\""
            return response
        }
        return try await next(request, context)
    }

    /// The token of `Bearer TOKEN` (scheme case-insensitive).
    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1].filter { $0 != " " })
    }

    /// Constant-time comparison (for equal lengths; the length itself is not secret).
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
