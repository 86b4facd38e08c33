/// A `host[:port]` authority as written in listener URLs (`udp://[::1]:5060`,
/// `http://127.0.0.1:8080`): a name, an IPv4 address or a bracketed IPv6 address (RFC 3986 §3.2.2,
/// the `hostport` of RFC 3261 §25.1), and an optional port 0–65535.
public struct SIPHostPort: Sendable, Hashable {
    /// The host without IPv6 brackets (a zone `%eth0` is kept).
    public var host: String
    /// The port, when one was written.
    public var port: Int?

    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// True when the host is an IPv6 literal.
    public var isIPv6: Bool { host.utf8.contains(Lexer.colon) }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`. The error's reason says what is wrong
    /// ("unclosed IPv6 bracket", "invalid port '99999'", …).
    public init(parsing text: Substring) throws(SIPParseError) {
        func fail(_ why: String) -> SIPParseError { SIPParseError(.invalidURI, why) }
        let host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("unclosed IPv6 bracket") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("expected ':' after the IPv6 address") }
                portText = after.dropFirst()
            }
            guard host.contains(":") else { throw fail("brackets are only for IPv6 addresses") }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !(portText?.contains(":") ?? false) else { throw fail("IPv6 addresses need brackets") }
        } else {
            host = text
        }
        guard !host.isEmpty else { throw fail("missing host") }
        guard host.utf8.allSatisfy(Self.isHostByte) else { throw fail("invalid host '\(host.prefix(64))'") }
        var port: Int?
        if let portText {
            guard let value = Lexer.parseDecimal(portText, max: 65535) else {
                throw fail("invalid port '\(portText.prefix(16))'")
            }
            port = Int(value)
        }
        self.init(host: String(host), port: port)
    }

    static func isHostByte(_ byte: UInt8) -> Bool {
        Lexer.isAlpha(byte) || Lexer.isDigit(byte) || byte == 0x2E || byte == 0x2D || byte == Lexer.colon
            || byte == Lexer.percent
    }
}
