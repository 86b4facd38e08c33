public import SIPCore

/// Where a listener of the configuration service binds: `https://HOST[:PORT][/]` (the `--http`
/// flag, `provisioning.listen`, `provisioning.deviceListen`). HTTPS only: RFC 6011 §2.4.1
/// requires TLS, and a configuration holds SIP passwords. PORT defaults to 443; 0 asks the
/// kernel for an ephemeral port (tests). IPv6 literals in brackets.
public struct ProvisioningListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The default of `--http`: `https://0.0.0.0:8443`.
    public static let `default` = ProvisioningListenAddress(host: "0.0.0.0", port: 8443)

    /// The host, without IPv6 brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `https://HOST[:PORT][/]`; throws ``ProvisioningError`` naming what is wrong.
    public init(parsing text: String) throws(ProvisioningError) {
        func fail(_ why: String) -> ProvisioningError { .configuration("invalid listen URL '\(text.prefix(200))': \(why)") }
        guard let schemeEnd = text.firstRange(of: "://") else { throw fail("expected https://HOST:PORT") }
        guard text[..<schemeEnd.lowerBound].lowercased() == "https" else {
            throw fail("the configuration service serves https only (RFC 6011 §2.4.1)")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw fail("no path, query, fragment or user info allowed")
        }
        let authority: SIPHostPort
        do { authority = try SIPHostPort(parsing: rest) } catch { throw fail(error.reason) }
        let port = authority.port ?? 443
        guard (0...65_535).contains(port) else { throw fail("port \(port) is out of range") }
        self.init(host: authority.host, port: port)
    }

    public var description: String { host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)" }
}

/// Every failure of the configuration service that is not an HTTP answer: configuration and
/// start-up (templates that do not parse, a missing CA bundle, a bad listen URL).
public struct ProvisioningError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public static func configuration(_ message: String) -> ProvisioningError { ProvisioningError(message: message) }

    public var description: String { message }
}
