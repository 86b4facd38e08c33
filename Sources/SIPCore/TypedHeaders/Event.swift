/// The Event header (RFC 6665 §8.2.1, RFC 3265): an event package with parameters, e.g.
/// `dialog;id=1` or `http-monitor`.
public struct SIPEventHeader: Sendable, Hashable, CustomStringConvertible {
    /// The package name (`dialog`, `presence`, `http-monitor`, `reg`), compared case-insensitively.
    public var package: String
    public var parameters: SIPParameters

    public init(package: String, parameters: SIPParameters = SIPParameters()) {
        self.package = package
        self.parameters = parameters
    }

    /// The `id` parameter that tells subscriptions in one dialog apart.
    public var id: String? { parameters.rawValue("id") }

    public var description: String { package + parameters.description }

    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let (name, parameters) = try parseTokenWithParameters(text, what: "Event", limits: limits)
        self.init(package: String(name), parameters: parameters)
    }

    /// True when both name the same package (RFC 6665 §8.2.1: tokens compare case-insensitively).
    public func isSamePackage(_ other: String) -> Bool { Lexer.equalsIgnoringCase(package, other) }
}

/// The Subscription-State header (RFC 6665 §8.2.3): `active;expires=3600`,
/// `terminated;reason=timeout`.
public struct SIPSubscriptionState: Sendable, Hashable, CustomStringConvertible {
    /// `active`, `pending`, `terminated` or an extension, lower-cased.
    public var state: String
    public var parameters: SIPParameters

    public init(state: String, parameters: SIPParameters = SIPParameters()) {
        self.state = state
        self.parameters = parameters
    }

    public var expires: UInt32? {
        parameters.rawValue("expires").flatMap { Lexer.parseDecimal($0) }.map { UInt32($0) }
    }
    public var reason: String? { parameters.rawValue("reason") }
    public var retryAfter: UInt32? {
        parameters.rawValue("retry-after").flatMap { Lexer.parseDecimal($0) }.map { UInt32($0) }
    }

    public var description: String { state + parameters.description }

    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let (name, parameters) = try parseTokenWithParameters(text, what: "Subscription-State", limits: limits)
        self.init(state: Lexer.lowercasedASCII(name), parameters: parameters)
    }
}

/// A media type (RFC 3261 §20.15): `application/dialog-info+xml;charset=utf-8`.
public struct SIPMediaType: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: SIPParameters

    public init(type: String, subtype: String, parameters: SIPParameters = SIPParameters()) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    public var description: String { "\(type)/\(subtype)\(parameters)" }

    /// Case-insensitive comparison of type and subtype.
    public func matches(type: String, subtype: String) -> Bool {
        Lexer.equalsIgnoringCase(self.type, type) && Lexer.equalsIgnoringCase(self.subtype, subtype)
    }

    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let (name, parameters) = try parseTokenWithParameters(
            text, what: "Content-Type", limits: limits, allowSlash: true)
        guard let slash = name.firstIndex(of: "/") else {
            throw SIPParseError(.invalidHeaderValue, "invalid Content-Type")
        }
        let type = name[name.startIndex..<slash]
        let subtype = name[name.index(after: slash)...]
        guard Lexer.isToken(type), Lexer.isToken(subtype) else {
            throw SIPParseError(.invalidHeaderValue, "invalid Content-Type")
        }
        self.init(type: String(type), subtype: String(subtype), parameters: parameters)
    }
}

/// `token *( ";" param )`, with LWS allowed around the separators.
func parseTokenWithParameters(
    _ text: Substring, what: String, limits: SIPParserLimits, allowSlash: Bool = false
) throws(SIPParseError) -> (Substring, SIPParameters) {
    let t = Lexer.trim(text)
    let nameEnd = t.utf8.firstIndex(of: Lexer.semicolon) ?? t.endIndex
    var name = Lexer.trim(t[t.startIndex..<nameEnd])
    if allowSlash, let slash = name.firstIndex(of: "/") {
        let type = Lexer.trim(name[name.startIndex..<slash])
        let subtype = Lexer.trim(name[name.index(after: slash)...])
        guard Lexer.isToken(type), Lexer.isToken(subtype) else {
            throw SIPParseError(.invalidHeaderValue, "invalid \(what)")
        }
        name = Substring("\(type)/\(subtype)")
    } else {
        guard Lexer.isToken(name) else { throw SIPParseError(.invalidHeaderValue, "invalid \(what)") }
    }
    let parameters = nameEnd == t.endIndex ? SIPParameters() : try SIPParameters.parse(t[nameEnd...], limits: limits)
    return (name, parameters)
}
