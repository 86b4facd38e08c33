/// A header field name (RFC 3261 §7.3), compared without regard to ASCII case, with the compact
/// forms of §7.3.3 (and later RFCs: `o` Event, `u` Allow-Events, `r` Refer-To, `b` Referred-By,
/// `x` Session-Expires, `y` Identity, `a` Accept-Contact) mapped to their long names.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The canonical spelling used when this library writes the header.
    public let canonical: String
    /// Lower-cased long name, the key for case-insensitive lookup.
    let key: String

    public init(_ name: String) {
        let lowered = Lexer.lowercasedASCII(name)
        if let known = Self.byKey[lowered] {
            self = known
        } else {
            canonical = name
            key = lowered
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    private init(canonical: String, key: String) {
        self.canonical = canonical
        self.key = key
    }

    public var description: String { canonical }

    public static func == (lhs: SIPHeaderName, rhs: SIPHeaderName) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    private static func known(_ canonical: String) -> SIPHeaderName {
        SIPHeaderName(canonical: canonical, key: Lexer.lowercasedASCII(canonical))
    }

    public static let via = known("Via")
    public static let from = known("From")
    public static let to = known("To")
    public static let callID = known("Call-ID")
    public static let cseq = known("CSeq")
    public static let maxForwards = known("Max-Forwards")
    public static let contact = known("Contact")
    public static let expires = known("Expires")
    public static let minExpires = known("Min-Expires")
    public static let route = known("Route")
    public static let recordRoute = known("Record-Route")
    public static let path = known("Path")
    public static let authorization = known("Authorization")
    public static let proxyAuthorization = known("Proxy-Authorization")
    public static let wwwAuthenticate = known("WWW-Authenticate")
    public static let proxyAuthenticate = known("Proxy-Authenticate")
    public static let authenticationInfo = known("Authentication-Info")
    public static let event = known("Event")
    public static let subscriptionState = known("Subscription-State")
    public static let allowEvents = known("Allow-Events")
    public static let allow = known("Allow")
    public static let accept = known("Accept")
    public static let supported = known("Supported")
    public static let require = known("Require")
    public static let proxyRequire = known("Proxy-Require")
    public static let unsupported = known("Unsupported")
    public static let contentType = known("Content-Type")
    public static let contentLength = known("Content-Length")
    public static let contentEncoding = known("Content-Encoding")
    public static let userAgent = known("User-Agent")
    public static let server = known("Server")
    public static let date = known("Date")
    public static let subject = known("Subject")
    public static let referTo = known("Refer-To")
    public static let referredBy = known("Referred-By")
    public static let sessionExpires = known("Session-Expires")
    public static let identity = known("Identity")
    public static let acceptContact = known("Accept-Contact")
    public static let retryAfter = known("Retry-After")
    public static let warning = known("Warning")
    public static let timestamp = known("Timestamp")
    public static let flowTimer = known("Flow-Timer")

    static let all: [SIPHeaderName] = [
        via, from, to, callID, cseq, maxForwards, contact, expires, minExpires, route, recordRoute, path,
        authorization, proxyAuthorization, wwwAuthenticate, proxyAuthenticate, authenticationInfo, event,
        subscriptionState, allowEvents, allow, accept, supported, require, proxyRequire, unsupported,
        contentType, contentLength, contentEncoding, userAgent, server, date, subject, referTo, referredBy,
        sessionExpires, identity, acceptContact, retryAfter, warning, timestamp, flowTimer,
    ]

    /// Compact forms (RFC 3261 §7.3.3 and the IANA SIP header registry).
    static let compactForms: [UInt8: SIPHeaderName] = [
        UInt8(ascii: "i"): callID, UInt8(ascii: "m"): contact, UInt8(ascii: "f"): from,
        UInt8(ascii: "t"): to, UInt8(ascii: "v"): via, UInt8(ascii: "l"): contentLength,
        UInt8(ascii: "k"): supported, UInt8(ascii: "s"): subject, UInt8(ascii: "c"): contentType,
        UInt8(ascii: "e"): contentEncoding, UInt8(ascii: "o"): event, UInt8(ascii: "u"): allowEvents,
        UInt8(ascii: "r"): referTo, UInt8(ascii: "b"): referredBy, UInt8(ascii: "x"): sessionExpires,
        UInt8(ascii: "y"): identity, UInt8(ascii: "a"): acceptContact,
    ]

    static let byKey: [String: SIPHeaderName] = {
        var table: [String: SIPHeaderName] = [:]
        for name in all { table[name.key] = name }
        for (letter, name) in compactForms { table[String(UnicodeScalar(letter))] = name }
        return table
    }()

    /// The name that a header line spelled `raw` stands for; compact forms map to long names.
    static func resolve(_ raw: Substring) -> SIPHeaderName {
        let utf8 = raw.utf8
        if utf8.count == 1, let compact = compactForms[Lexer.lower(utf8.first!)] { return compact }
        // Fast path: exact canonical spelling, the common case, needs no lower-casing.
        switch utf8.count {
        case 2: if raw == "To" { return to }
        case 3: if raw == "Via" { return via }
        case 4:
            if raw == "From" { return from }
            if raw == "CSeq" { return cseq }
        case 7:
            if raw == "Call-ID" { return callID }
            if raw == "Contact" { return contact }
            if raw == "Expires" { return expires }
        case 10: if raw == "User-Agent" { return userAgent }
        case 12:
            if raw == "Max-Forwards" { return maxForwards }
            if raw == "Content-Type" { return contentType }
            if raw == "Record-Route" { return recordRoute }
        case 13: if raw == "Authorization" { return authorization }
        case 14: if raw == "Content-Length" { return contentLength }
        default: break
        }
        return SIPHeaderName(String(raw))
    }
}
