import SIPCore
/// The address the admin API listens on, as written after `--admin` or in the configuration
/// file (`admin.listen`): `http://HOST:PORT`.
///
/// HOST is an IPv4 literal, a bracketed IPv6 literal (`http://[::1]:8080`) or a host name such as
/// `localhost`; PORT is 0–65535 (0 asks the kernel for an ephemeral port, see
/// ``AdminServer/listeningPort()``) and defaults to 80 when left out (RFC 9110 §4.2.1). Only
/// plain `http` is served: the admin API has no TLS and no authentication, so it belongs on a
/// loopback address (the default is `http://127.0.0.1:8080`). A trailing `/` is accepted; any
/// other path, a query or user info is refused.
public struct AdminListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The default listener, `http://127.0.0.1:8080`.
    public static let `default` = AdminListenAddress(host: "127.0.0.1", port: 8080)

    /// The host without IPv6 brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://HOST[:PORT][/]`; throws ``AdminAPIError/invalidListenURL(_:reason:)``.
    public init(parsing text: String) throws(AdminAPIError) {
        func fail(_ why: String) -> AdminAPIError { .invalidListenURL(String(text.prefix(200)), reason: why) }
        guard let schemeEnd = text.firstRange(of: "://") else { throw fail("expected http://HOST:PORT") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            if scheme == "https" {
                throw fail("the admin API serves plain http only (no TLS); listen on a loopback address such as http://127.0.0.1:8080")
            }
            throw fail("unsupported scheme '\(scheme)', expected http")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw fail("no path, query or fragment allowed")
        }
        guard !rest.contains("@") else { throw fail("no user info allowed") }
        let authority: SIPHostPort
        do { authority = try SIPHostPort(parsing: rest) } catch { throw fail(error.reason) }
        let host = authority.host
        let port = authority.port ?? 80
        self.init(host: host, port: port)
    }

    /// True for `127.0.0.0/8`, `::1` and `localhost`: only local processes can connect.
    public var isLoopback: Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// True when the host is an IPv6 literal.
    public var isIPv6: Bool { host.contains(":") }

    /// `http://127.0.0.1:8080`, `http://[::1]:8080`.
    public var description: String { isIPv6 ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }
}
