/// Credentials or a challenge of an HTTP authentication scheme as used by SIP
/// (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 2617 §3.2; RFC 7616 §3.3–3.4; RFC 8760).
///
/// `Digest username="69/0000DEADBEEF", realm="example.net", nonce="…", uri="sip:example.net",
/// response="…", algorithm=MD5, qop=auth, nc=00000001, cnonce="…"`
///
/// Parameters are kept in order as written; accessors unquote them (quoted-pair escapes removed).
///
/// A parsed header keeps its parameters as the text they were written in (a range of the header
/// value); ``value(_:)`` reads them from there and ``parameters`` lists them when asked for.
public struct SIPAuthHeader: Sendable, Hashable, CustomStringConvertible {
    /// The scheme, e.g. `Digest` (compared case-insensitively).
    public var scheme: String
    /// Parsed parameters, as their text (nil once built or changed in code).
    private var text: ParameterText?
    private var list: [SIPParameters.Parameter]

    /// The parameters, in order, as written (quoted values keep their quotes).
    public var parameters: [SIPParameters.Parameter] {
        get { text?.elements ?? list }
        set {
            text = nil
            list = newValue
        }
    }

    public init(scheme: String = "Digest", parameters: [SIPParameters.Parameter] = []) {
        self.scheme = scheme
        self.text = nil
        self.list = parameters
    }

    public var isDigest: Bool { Lexer.equalsIgnoringCase(scheme, "Digest") }

    /// The unquoted value of `name`.
    public func value(_ name: String) -> String? {
        if let text { return (text.rawValue(name) ?? nil).map { Lexer.unquote(Substring($0)) } }
        return list.first { Lexer.equalsIgnoringCase($0.name, name) }?.value.map { Lexer.unquote(Substring($0)) }
    }

    public static func == (lhs: SIPAuthHeader, rhs: SIPAuthHeader) -> Bool {
        lhs.scheme == rhs.scheme && lhs.parameters == rhs.parameters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        hasher.combine(parameters)
    }

    /// Adds `name` with a value written as a quoted-string.
    public mutating func appendQuoted(_ name: String, _ value: String) {
        parameters.append(.init(name: name, value: Lexer.quote(value)))
    }

    /// Adds `name` with a value written as a token.
    public mutating func appendToken(_ name: String, _ value: String) {
        parameters.append(.init(name: name, value: value))
    }

    public var username: String? { value("username") }
    public var realm: String? { value("realm") }
    public var nonce: String? { value("nonce") }
    public var uri: String? { value("uri") }
    public var response: String? { value("response") }
    public var algorithm: String? { value("algorithm") }
    public var cnonce: String? { value("cnonce") }
    public var opaque: String? { value("opaque") }
    /// `qop`: one token in credentials; a quoted comma-separated list in a challenge.
    public var qop: String? { value("qop") }
    /// `nc`: eight hex digits.
    public var nonceCount: String? { value("nc") }
    /// `stale=true` in a challenge.
    public var stale: Bool { value("stale").map { Lexer.equalsIgnoringCase($0, "true") } ?? false }
    /// `userhash=true` (RFC 7616 §3.4.4).
    public var userhash: Bool { value("userhash").map { Lexer.equalsIgnoringCase($0, "true") } ?? false }

    public var description: String {
        var out = scheme + " "
        if let text {
            text.write(into: &out)
        } else {
            out += list.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ", ")
        }
        return out
    }

    /// Parses `Scheme name=value, name="quoted", …`: the scheme and each name are tokens, each
    /// value a token or a quoted string; the parameters are checked but not copied.
    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        var header: SIPAuthHeader?
        var failure: SIPParseError?
        Lexer.withSource(text) { p, source, offset in
            do throws(SIPParseError) {
                header = try SIPAuthHeader.parse(p, source: source, offset: offset, limits: limits)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        self = header.take().unsafelyUnwrapped
    }

    /// Parses the header value whose bytes `p` start at UTF-8 offset `offset` of `source` (which
    /// the parameters refer to).
    static func parse(_ p: UnsafeBufferPointer<UInt8>, source: String, offset: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> SIPAuthHeader
    {
        var start = 0
        var end = p.count
        while start < end, Lexer.isLWS(p[start]) { start += 1 }
        while end > start, Lexer.isLWS(p[end - 1]) { end -= 1 }
        var space = start
        while space < end, !Lexer.isLWS(p[space]) { space += 1 }
        guard space > start, (start..<space).allSatisfy({ Lexer.isToken(p[$0]) }) else {
            throw SIPParseError(.invalidHeaderValue, "invalid auth scheme")
        }
        var header = SIPAuthHeader(scheme: SIPURI.string(p, start, space))
        if space < end {
            var any = false
            if let failure = ParameterText.scanAuth(p, space, end, limit: limits.maxParameters, { _, _ in
                any = true
                return true
            }) {
                throw failure
            }
            if any {
                header.text = ParameterText(
                    source: source, start: Int32(offset + space), end: Int32(offset + end), style: .auth)
            }
        }
        return header
    }
}
