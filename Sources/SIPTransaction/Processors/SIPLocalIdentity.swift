public import SIPCore

/// What names this server (RFC 3261 §16.3 step 4, §10.3 step 1): the domains it is responsible
/// for and the hosts of its configured listeners. An immutable value, built from configuration
/// at start: a wildcard listener (`0.0.0.0`, `::`) makes any IP literal ours.
public struct SIPLocalIdentity: Sendable, Hashable {
    /// Our domains, lower-case.
    public let domains: Set<String>
    /// Listener IP addresses (and `localhost`), lower-case, without brackets.
    public let hosts: Set<String>
    /// True when a listener binds a wildcard address.
    public let acceptsAnyIPLiteral: Bool

    /// - Parameters:
    ///   - domains: the SIP domains served.
    ///   - listenerHosts: the hosts of the configured listeners (`0.0.0.0`, `[::1]`, `192.0.2.1`).
    public init(domains: some Sequence<String>, listenerHosts: some Sequence<String>) {
        self.domains = Set(domains.map { $0.lowercased() })
        var hosts: Set<String> = ["localhost"]
        var wildcard = false
        for host in listenerHosts {
            var ip = Substring(host.lowercased())
            if ip.hasPrefix("["), ip.hasSuffix("]") { ip = ip.dropFirst().dropLast() }
            if ip == "0.0.0.0" || ip == "::" { wildcard = true } else { hosts.insert(String(ip)) }
        }
        self.hosts = hosts
        self.acceptsAnyIPLiteral = wildcard
    }

    /// True when `uri`'s host is one of our domains, one of our listener addresses, or (with a
    /// wildcard listener) any IP literal.
    public func isAddressedToUs(_ uri: SIPURI) -> Bool {
        guard uri.scheme != .tel else { return false }
        let host = uri.normalizedHost
        if domains.contains(host) || hosts.contains(host) { return true }
        return acceptsAnyIPLiteral && Self.isIPLiteral(host)
    }

    /// True when `uri`'s host is one of our domains (not merely one of our addresses).
    public func isOurDomain(_ uri: SIPURI) -> Bool {
        uri.scheme != .tel && domains.contains(uri.normalizedHost)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }
}
