/// Credentials or a challenge of an HTTP authentication scheme as used by SIP
/// (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 2617 §3.2; RFC 7616 §3.3–3.4; RFC 8760).
///
/// `Digest username="69/0000DEADBEEF", realm="example.net", nonce="…", uri="sip:example.net",
/// response="…", algorithm=MD5, qop=auth, nc=00000001, cnonce="…"`
///
/// Parameters are kept in order as written; accessors unquote them (quoted-pair escapes removed).
public struct SIPAuthHeader: Sendable, Hashable, CustomStringConvertible {
    /// The scheme, e.g. `Digest` (compared case-insensitively).
    public var scheme: String
    public var parameters: [SIPParameters.Parameter]

    public init(scheme: String = "Digest", parameters: [SIPParameters.Parameter] = []) {
        self.scheme = scheme
        self.parameters = parameters
    }

    public var isDigest: Bool { Lexer.equalsIgnoringCase(scheme, "Digest") }

    /// The unquoted value of `name`.
    public func value(_ name: String) -> String? {
        parameters.first { Lexer.equalsIgnoringCase($0.name, name) }?.value.map { Lexer.unquote(Substring($0)) }
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
        scheme + " " + parameters.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ", ")
    }

    /// Parses `Scheme name=value, name="quoted", …`.
    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let t = Lexer.trim(text)
        let utf8 = t.utf8
        guard let space = utf8.firstIndex(where: { Lexer.isLWS($0) }) else {
            let scheme = t
            guard Lexer.isToken(scheme) else { throw SIPParseError(.invalidHeaderValue, "invalid auth scheme") }
            self.init(scheme: String(scheme))
            return
        }
        let scheme = t[t.startIndex..<space]
        guard Lexer.isToken(scheme) else { throw SIPParseError(.invalidHeaderValue, "invalid auth scheme") }
        var parameters: [SIPParameters.Parameter] = []
        for part in try Lexer.split(
            t[space...], separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting) {
            guard parameters.count < limits.maxParameters else {
                throw SIPParseError(.limitExceeded, "too many auth parameters")
            }
            guard let eq = part.utf8.firstIndex(of: Lexer.equals) else {
                throw SIPParseError(.invalidHeaderValue, "auth parameter without '='")
            }
            let name = Lexer.trim(part[part.startIndex..<eq])
            let value = Lexer.trim(part[part.utf8.index(after: eq)...])
            guard Lexer.isToken(name) else { throw SIPParseError(.invalidHeaderValue, "invalid auth parameter name") }
            if value.utf8.first == Lexer.quote {
                guard Lexer.isQuotedString(value) else {
                    throw SIPParseError(.invalidHeaderValue, "unterminated quoted auth parameter")
                }
            } else if !Lexer.isToken(value) {
                throw SIPParseError(.invalidHeaderValue, "invalid auth parameter value")
            }
            parameters.append(.init(name: String(name), value: String(value)))
        }
        self.init(scheme: String(scheme), parameters: parameters)
    }
}
