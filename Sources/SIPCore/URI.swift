/// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966).
///
/// Components are kept as written (escapes included) so that serializing gives back the same
/// text; ``unescapedUser`` decodes `%HH` escapes. `==` follows the comparison rules of
/// RFC 3261 §19.1.4 (see `URI+Equivalence.swift`).
public struct SIPURI: Sendable, CustomStringConvertible {
    /// The URI scheme.
    public enum Scheme: String, Sendable, Hashable {
        case sip, sips, tel
    }

    /// One `?name=value` header component of a SIP URI (RFC 3261 §19.1.1).
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var scheme: Scheme
    /// The user part as written (may contain `;`, `/`, `&`, `~` and `%HH` escapes). For a tel
    /// URI, the telephone-subscriber number.
    public var user: String?
    /// The password as written (deprecated by RFC 3261 but legal).
    public var password: String?
    /// The host as written: a domain name, an IPv4 address or a bracketed IPv6 reference. Empty
    /// for a tel URI.
    public var host: String
    /// The port, when one was written.
    public var port: Int?
    /// URI parameters (`;transport=tcp;lr`).
    public var parameters: SIPParameters
    /// URI header components (`?Subject=x&Priority=urgent`).
    public var headers: [Header]

    public init(
        scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String, port: Int? = nil,
        parameters: SIPParameters = SIPParameters(), headers: [Header] = []
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    /// Parses a URI; throws ``SIPParseError`` with code `invalidURI` or `unsupportedURIScheme`.
    public init(parsing text: String, limits: SIPParserLimits = .default) throws(SIPParseError) {
        self = try SIPURI.parse(Substring(text), limits: limits)
    }

    /// The user part with `%HH` escapes decoded.
    public var unescapedUser: String? { user.map { SIPURI.unescape($0) } }

    /// The host without IPv6 brackets, lower-cased.
    public var normalizedHost: String {
        var h = Substring(host)
        if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        return Lexer.lowercasedASCII(h)
    }

    /// True when the host is an IPv6 reference (`[…]`).
    public var isIPv6: Bool { host.hasPrefix("[") }

    /// The `transport` parameter, lower-cased.
    public var transport: String? { parameters.value("transport").map { Lexer.lowercasedASCII($0) } }

    /// The `lr` flag (RFC 3261 §19.1.1): this URI is a loose router.
    public var isLooseRouter: Bool { parameters.contains("lr") }

    /// `sip:user@host:port;params?headers` as written.
    public var description: String {
        var out = scheme.rawValue
        out += ":"
        if let user {
            out += user
            if let password {
                out += ":"
                out += password
            }
            if scheme != .tel { out += "@" }
        }
        out += host
        if let port {
            out += ":"
            out += String(port)
        }
        out += parameters.description
        if !headers.isEmpty {
            out += "?"
            out += headers.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        return out
    }

    /// Returns the URI without headers and with only the parameters a registrar keeps in an
    /// address-of-record (RFC 3261 §10.3 step 5: "sip:user@host", user unescaped).
    public var addressOfRecord: SIPURI {
        SIPURI(scheme: scheme == .sips ? .sips : scheme, user: user.map(SIPURI.canonicalEscaping), host: normalizedHostForAOR)
    }

    private var normalizedHostForAOR: String { isIPv6 ? "[\(normalizedHost)]" : normalizedHost }
}
