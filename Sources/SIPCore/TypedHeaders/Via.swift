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
        var result: (SIPVia, SIPParseError?)?
        var failure: SIPParseError?
        Lexer.withSource(text) { p, source, offset in
            do throws(SIPParseError) { result = try parse(p, source: source, offset: offset, limits: limits) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return result.take().unsafelyUnwrapped
    }

    /// Parses the Via value whose bytes `p` start at UTF-8 offset `offset` of `source` (which the
    /// parameters refer to).
    static func parse(_ p: UnsafeBufferPointer<UInt8>, source: String, offset: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> (SIPVia, SIPParseError?)
    {
        var end = p.count
        while end > 0, Lexer.isLWS(p[end - 1]) { end -= 1 }
        var index = 0
        while index < end, Lexer.isLWS(p[index]) { index += 1 }
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport (LWS allowed around '/')
        var tokens = (name: 0..<0, version: 0..<0, transport: 0..<0)
        for k in 0..<3 {
            while index < end, Lexer.isWhitespace(p[index]) { index += 1 }
            let tokenStart = index
            while index < end, Lexer.isToken(p[index]) { index += 1 }
            guard index > tokenStart else { throw SIPParseError(.invalidHeaderValue, "invalid Via sent-protocol") }
            switch k {
            case 0: tokens.name = tokenStart..<index
            case 1: tokens.version = tokenStart..<index
            default: tokens.transport = tokenStart..<index
            }
            while index < end, Lexer.isWhitespace(p[index]) { index += 1 }
            if k < 2 {
                guard index < end, p[index] == Lexer.slash else {
                    throw SIPParseError(.invalidHeaderValue, "invalid Via sent-protocol")
                }
                index += 1
            }
        }
        guard tokens.name.count == 3, Lexer.lower(p[tokens.name.lowerBound]) == 0x73,
            Lexer.lower(p[tokens.name.lowerBound + 1]) == 0x69, Lexer.lower(p[tokens.name.lowerBound + 2]) == 0x70
        else {
            throw SIPParseError(.invalidHeaderValue, "invalid Via protocol")
        }
        var semi = index
        while semi < end, p[semi] != Lexer.semicolon { semi += 1 }
        var parameters = SIPParameters()
        var tags = 0
        if semi < end {
            parameters = try SIPParameters.parse(
                UnsafeBufferPointer(rebasing: p[semi..<end]), source: source, offset: offset + semi, limits: limits,
                tags: &tags)
        }
        let (host, port) = try SIPVia.parseHostPort(p, index, semi)
        let via = SIPVia(
            transport: Lexer.uppercasedASCII(p, tokens.transport), host: host, port: port, parameters: parameters)
        let v = tokens.version
        let is20 = v.count == 3 && p[v.lowerBound] == 0x32 && p[v.lowerBound + 1] == 0x2E && p[v.lowerBound + 2] == 0x30
        return (via, is20 ? nil : SIPVia.unsupportedVersion)
    }

    static var unsupportedVersion: SIPParseError {
        SIPParseError(.unsupportedVersion, "SIP-Version in Via not supported")
    }

    /// True when the first value of a Via field, the bytes `p[start..<end]`, starts with a
    /// `SIP/x.y/` sent-protocol whose version is not 2.0; false otherwise (also when it is no
    /// sent-protocol at all: the Via accessors report that). Looks at a few bytes only, so the
    /// parser can afford it for every request.
    static func namesOtherVersion(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
        guard i + 3 <= end, Lexer.lower(p[i]) == 0x73, Lexer.lower(p[i + 1]) == 0x69, Lexer.lower(p[i + 2]) == 0x70
        else { return false }
        i += 3
        while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
        guard i < end, p[i] == Lexer.slash else { return false }
        i += 1
        while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
        let versionStart = i
        while i < end, Lexer.isToken(p[i]) { i += 1 }
        let versionEnd = i
        while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
        guard versionEnd > versionStart, i < end, p[i] == Lexer.slash else { return false }
        return !(versionEnd - versionStart == 3 && p[versionStart] == 0x32 && p[versionStart + 1] == 0x2E
            && p[versionStart + 2] == 0x30)
    }

    /// True when the top value of the Via field `value` can route an answer: it parses, perhaps
    /// naming another SIP version (answered with 505).
    static func isUsableTop(_ value: Substring, limits: SIPParserLimits) -> Bool {
        guard
            let top = try? Lexer.split(
                value, separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting
            ).first
        else { return false }
        return (try? SIPVia.parse(top, limits: limits)) != nil
    }

    /// Parses `host[:port]` in `p[start..<end]`, with a bracketed IPv6 reference allowed and
    /// white space around the colon (COLON = SWS ":" SWS, RFC 3261 §25.1).
    static func parseHostPort(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(SIPParseError)
        -> (String, Int?)
    {
        var lo = start
        var hi = end
        while lo < hi, Lexer.isLWS(p[lo]) { lo += 1 }
        while hi > lo, Lexer.isLWS(p[hi - 1]) { hi -= 1 }
        guard lo < hi else { throw SIPParseError(.invalidHeaderValue, "missing Via sent-by") }
        var hostEnd = hi
        var portStart: Int?
        if p[lo] == Lexer.openBracket {
            var close = lo
            while close < hi, p[close] != Lexer.closeBracket { close += 1 }
            guard close < hi else { throw SIPParseError(.invalidHeaderValue, "invalid Via IPv6 sent-by") }
            hostEnd = close + 1
            var after = hostEnd
            while after < hi, Lexer.isLWS(p[after]) { after += 1 }
            if after < hi {
                guard p[after] == Lexer.colon else { throw SIPParseError(.invalidHeaderValue, "invalid Via sent-by") }
                portStart = after + 1
            }
        } else {
            var colon = lo
            while colon < hi, p[colon] != Lexer.colon { colon += 1 }
            if colon < hi {
                hostEnd = colon
                portStart = colon + 1
            }
        }
        var trimmedEnd = hostEnd
        while trimmedEnd > lo, Lexer.isLWS(p[trimmedEnd - 1]) { trimmedEnd -= 1 }
        guard trimmedEnd > lo,
            (lo..<trimmedEnd).allSatisfy({
                SIPURI.ByteClass.host.contains(p[$0]) || p[$0] == Lexer.colon || p[$0] == Lexer.openBracket
                    || p[$0] == Lexer.closeBracket
            })
        else { throw SIPParseError(.invalidHeaderValue, "invalid Via host") }
        var port: Int?
        if var i = portStart {
            while i < hi, Lexer.isLWS(p[i]) { i += 1 }
            guard i < hi, let value = Lexer.parseDecimal(p, i, hi, max: 65535) else {
                throw SIPParseError(.invalidHeaderValue, "invalid Via port")
            }
            port = Int(value)
        }
        return (SIPURI.string(p, lo, trimmedEnd), port)
    }
}
