/// One Via header value (RFC 3261 §20.42, §18.2.1; RFC 3581 `rport`).
///
/// `SIP/2.0/UDP host:port;branch=z9hG4bK…;received=…;rport=…`
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// The magic cookie that marks an RFC 3261 branch (§8.1.1.7).
    public static let magicCookie = "z9hG4bK"

    /// Transport token, upper-cased (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, `WSS`).
    public var transport: String
    /// The sent-by host as written (bracketed for IPv6).
    public var host: String
    /// The sent-by port, when written.
    public var port: Int?
    public var parameters: SIPParameters

    public init(transport: String, host: String, port: Int? = nil, parameters: SIPParameters = SIPParameters()) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The `branch` parameter.
    public var branch: String? { parameters.rawValue("branch") }
    /// True when the branch starts with the RFC 3261 magic cookie.
    public var hasRFC3261Branch: Bool { branch?.hasPrefix(SIPVia.magicCookie) ?? false }
    /// The `received` parameter (§18.2.1).
    public var received: String? { parameters.rawValue("received") }
    /// `rport` (RFC 3581): `.some(nil)` when present without a value (the client asks for it).
    public var rport: Int?? {
        guard parameters.contains("rport") else { return nil }
        return .some(parameters.rawValue("rport").flatMap { Lexer.parseDecimal($0, max: 65535) }.map { Int($0) })
    }
    /// The `maddr` parameter.
    public var maddr: String? { parameters.rawValue("maddr") }
    /// The `ttl` parameter.
    public var ttl: Int? { parameters.rawValue("ttl").flatMap { Lexer.parseDecimal($0, max: 255) }.map { Int($0) } }

    /// `SIP/2.0/UDP host:port;params`.
    public var description: String {
        var out = "SIP/2.0/"
        out += transport
        out += " "
        out += host
        if let port {
            out += ":"
            out += String(port)
        }
        out += parameters.description
        return out
    }

    /// Parses one Via value. A well-formed value that names a SIP version other than 2.0
    /// (`SIP/7.0/UDP host`) throws an `unsupportedVersion` error, whose ``SIPParseError/statusCode``
    /// is 505 (RFC 3261 §8.2.2 ff.); any other fault throws `invalidHeaderValue` (400).
    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let (via, versionError) = try SIPVia.parse(text, limits: limits)
        if let versionError { throw versionError }
        self = via
    }

    /// Parses one Via value whatever SIP version it names; the second result is the
    /// `unsupportedVersion` error for a version other than 2.0.
    static func parse(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> (SIPVia, SIPParseError?) {
        let t = Lexer.trim(text)
        let utf8 = t.utf8
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport (LWS allowed around '/')
        var index = utf8.startIndex
        var tokens: [Substring] = []
        for _ in 0..<3 {
            while index < utf8.endIndex, Lexer.isWhitespace(utf8[index]) { index = utf8.index(after: index) }
            let tokenStart = index
            while index < utf8.endIndex, Lexer.isToken(utf8[index]) { index = utf8.index(after: index) }
            guard index > tokenStart else { throw SIPParseError(.invalidHeaderValue, "invalid Via sent-protocol") }
            tokens.append(t[tokenStart..<index])
            while index < utf8.endIndex, Lexer.isWhitespace(utf8[index]) { index = utf8.index(after: index) }
            if tokens.count < 3 {
                guard index < utf8.endIndex, utf8[index] == Lexer.slash else {
                    throw SIPParseError(.invalidHeaderValue, "invalid Via sent-protocol")
                }
                index = utf8.index(after: index)
            }
        }
        guard Lexer.equalsIgnoringCase(tokens[0], "SIP") else {
            throw SIPParseError(.invalidHeaderValue, "invalid Via protocol")
        }
        let rest = t[index...]
        let sentBy: Substring
        var parameters = SIPParameters()
        if let semi = rest.utf8.firstIndex(of: Lexer.semicolon) {
            sentBy = Lexer.trim(rest[rest.startIndex..<semi])
            parameters = try SIPParameters.parse(rest[semi...], limits: limits)
        } else {
            sentBy = Lexer.trim(rest)
        }
        let (host, port) = try SIPVia.parseHostPort(sentBy)
        let via = SIPVia(
            transport: Lexer.lowercasedASCII(tokens[2]).uppercased(), host: host, port: port, parameters: parameters)
        return (via, tokens[1] == "2.0" ? nil : SIPVia.unsupportedVersion)
    }

    static var unsupportedVersion: SIPParseError {
        SIPParseError(.unsupportedVersion, "SIP-Version in Via not supported")
    }

    /// The `unsupportedVersion` error when the first value of the Via field `value` starts with a
    /// `SIP/x.y/` sent-protocol whose version is not 2.0; nil otherwise (also when it is no
    /// sent-protocol at all: the Via accessors report that). Looks at the bytes only, so the
    /// parser can afford it for every request.
    static func versionError(_ value: Substring) -> SIPParseError? {
        let utf8 = value.utf8
        var i = utf8.startIndex
        func skipWhitespace() { while i < utf8.endIndex, Lexer.isWhitespace(utf8[i]) { utf8.formIndex(after: &i) } }
        func token() -> Substring.Index {
            let start = i
            while i < utf8.endIndex, Lexer.isToken(utf8[i]) { utf8.formIndex(after: &i) }
            return start
        }
        skipWhitespace()
        let nameStart = token()
        guard Lexer.equalsIgnoringCase(value[nameStart..<i], "SIP") else { return nil }
        skipWhitespace()
        guard i < utf8.endIndex, utf8[i] == Lexer.slash else { return nil }
        utf8.formIndex(after: &i)
        skipWhitespace()
        let versionStart = token()
        let version = value[versionStart..<i]
        skipWhitespace()
        guard !version.isEmpty, i < utf8.endIndex, utf8[i] == Lexer.slash, version != "2.0" else { return nil }
        return unsupportedVersion
    }

    /// True when the top value of the Via field `value` can route an answer: it parses, perhaps
    /// naming another SIP version (answered with 505).
    static func isUsableTop(_ value: Substring, limits: SIPParserLimits) -> Bool {
        guard
            let top = try? Lexer.split(value, separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting)
                .first
        else { return false }
        return (try? SIPVia.parse(top, limits: limits)) != nil
    }

    /// Parses `host[:port]` with a bracketed IPv6 reference allowed.
    static func parseHostPort(_ text: Substring) throws(SIPParseError) -> (String, Int?) {
        guard !text.isEmpty else { throw SIPParseError(.invalidHeaderValue, "missing Via sent-by") }
        var hostEnd = text.endIndex
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw SIPParseError(.invalidHeaderValue, "invalid Via IPv6 sent-by")
            }
            hostEnd = text.index(after: close)
            let after = Lexer.trim(text[hostEnd...])  // COLON = SWS ":" SWS (RFC 3261 §25.1)
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw SIPParseError(.invalidHeaderValue, "invalid Via sent-by") }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            hostEnd = colon
            portText = text[text.index(after: colon)...]
        }
        let host = Lexer.trim(text[text.startIndex..<hostEnd])
        guard
            host.utf8.allSatisfy({
                Lexer.isAlpha($0) || Lexer.isDigit($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A
                    || $0 == 0x5B || $0 == 0x5D
            }), !host.isEmpty
        else { throw SIPParseError(.invalidHeaderValue, "invalid Via host") }
        var port: Int?
        if let portText {
            guard let value = Lexer.parseDecimal(Lexer.trim(portText), max: 65535) else {
                throw SIPParseError(.invalidHeaderValue, "invalid Via port")
            }
            port = Int(value)
        }
        return (String(host), port)
    }

    /// Parses a comma-separated list of Via values.
    static func parseList(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> [SIPVia] {
        var result: [SIPVia] = []
        for part in try Lexer.split(
            text, separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting) {
            result.append(try SIPVia(parsing: part, limits: limits))
        }
        return result
    }
}
