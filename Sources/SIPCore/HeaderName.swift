/// A header field name (RFC 3261 §7.3), compared without regard to ASCII case, with the compact
/// forms of §7.3.3 (and later RFCs: `o` Event, `u` Allow-Events, `r` Refer-To, `b` Referred-By,
/// `x` Session-Expires, `y` Identity, `a` Accept-Contact) mapped to their long names.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The canonical spelling used when this library writes the header.
    public let canonical: String
    /// Lower-cased long name, the key for case-insensitive lookup.
    let key: String
    /// 1… for the well-known names below, 0 for any other name. Equal keys always have equal ids
    /// (every initializer maps a well-known key to its constant), so `==` compares ids first.
    let id: UInt8

    public init(_ name: String) {
        let lowered = Lexer.lowercasedASCII(name)
        if let known = Self.byKey[lowered] {
            self = known
        } else {
            canonical = name
            key = lowered
            id = 0
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    private init(canonical: String, key: String, id: UInt8) {
        self.canonical = canonical
        self.key = key
        self.id = id
    }

    public var description: String { canonical }

    @inline(__always)
    public static func == (lhs: SIPHeaderName, rhs: SIPHeaderName) -> Bool {
        lhs.id == rhs.id && (lhs.id != 0 || lhs.key == rhs.key)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    private static func known(_ canonical: String, _ id: UInt8) -> SIPHeaderName {
        SIPHeaderName(canonical: canonical, key: Lexer.lowercasedASCII(canonical), id: id)
    }

    public static let via = known("Via", 1)
    public static let from = known("From", 2)
    public static let to = known("To", 3)
    public static let callID = known("Call-ID", 4)
    public static let cseq = known("CSeq", 5)
    public static let maxForwards = known("Max-Forwards", 6)
    public static let contact = known("Contact", 7)
    public static let expires = known("Expires", 8)
    public static let minExpires = known("Min-Expires", 9)
    public static let route = known("Route", 10)
    public static let recordRoute = known("Record-Route", 11)
    public static let path = known("Path", 12)
    public static let authorization = known("Authorization", 13)
    public static let proxyAuthorization = known("Proxy-Authorization", 14)
    public static let wwwAuthenticate = known("WWW-Authenticate", 15)
    public static let proxyAuthenticate = known("Proxy-Authenticate", 16)
    public static let authenticationInfo = known("Authentication-Info", 17)
    public static let event = known("Event", 18)
    public static let subscriptionState = known("Subscription-State", 19)
    public static let allowEvents = known("Allow-Events", 20)
    public static let allow = known("Allow", 21)
    public static let accept = known("Accept", 22)
    public static let supported = known("Supported", 23)
    public static let require = known("Require", 24)
    public static let proxyRequire = known("Proxy-Require", 25)
    public static let unsupported = known("Unsupported", 26)
    public static let contentType = known("Content-Type", 27)
    public static let contentLength = known("Content-Length", 28)
    public static let contentEncoding = known("Content-Encoding", 29)
    public static let userAgent = known("User-Agent", 30)
    public static let server = known("Server", 31)
    public static let date = known("Date", 32)
    public static let subject = known("Subject", 33)
    public static let referTo = known("Refer-To", 34)
    public static let referredBy = known("Referred-By", 35)
    public static let sessionExpires = known("Session-Expires", 36)
    public static let identity = known("Identity", 37)
    public static let acceptContact = known("Accept-Contact", 38)
    public static let retryAfter = known("Retry-After", 39)
    public static let warning = known("Warning", 40)
    public static let timestamp = known("Timestamp", 41)
    public static let flowTimer = known("Flow-Timer", 42)

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
        if let name = raw.utf8.withContiguousStorageIfAvailable({ wellKnown($0, 0, $0.count) }) ?? nil {
            return name
        }
        return SIPHeaderName(String(raw))
    }

    /// The well-known name (or compact form) spelled by `p[start..<end]` in any case, or nil.
    /// Compares bytes only: no allocation, no hashing. Names it does not list still resolve
    /// through ``init(_:)``, so this is purely a fast path and must agree with ``compactForms``.
    static func wellKnown(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> SIPHeaderName? {
        switch end - start {
        case 1:
            switch Lexer.lower(p[start]) {
            case UInt8(ascii: "i"): return callID
            case UInt8(ascii: "m"): return contact
            case UInt8(ascii: "f"): return from
            case UInt8(ascii: "t"): return to
            case UInt8(ascii: "v"): return via
            case UInt8(ascii: "l"): return contentLength
            case UInt8(ascii: "k"): return supported
            case UInt8(ascii: "s"): return subject
            case UInt8(ascii: "c"): return contentType
            case UInt8(ascii: "e"): return contentEncoding
            case UInt8(ascii: "o"): return event
            case UInt8(ascii: "u"): return allowEvents
            case UInt8(ascii: "r"): return referTo
            case UInt8(ascii: "b"): return referredBy
            case UInt8(ascii: "x"): return sessionExpires
            case UInt8(ascii: "y"): return identity
            case UInt8(ascii: "a"): return acceptContact
            default: return nil
            }
        case 2:
            if matches(p, start, "to") { return to }
        case 3:
            if matches(p, start, "via") { return via }
        case 4:
            if matches(p, start, "from") { return from }
            if matches(p, start, "cseq") { return cseq }
            if matches(p, start, "path") { return path }
            if matches(p, start, "date") { return date }
        case 5:
            if matches(p, start, "route") { return route }
            if matches(p, start, "event") { return event }
            if matches(p, start, "allow") { return allow }
        case 6:
            if matches(p, start, "accept") { return accept }
            if matches(p, start, "server") { return server }
        case 7:
            if matches(p, start, "call-id") { return callID }
            if matches(p, start, "contact") { return contact }
            if matches(p, start, "expires") { return expires }
            if matches(p, start, "require") { return require }
            if matches(p, start, "subject") { return subject }
            if matches(p, start, "warning") { return warning }
        case 8:
            if matches(p, start, "refer-to") { return referTo }
            if matches(p, start, "identity") { return identity }
        case 9:
            if matches(p, start, "supported") { return supported }
            if matches(p, start, "timestamp") { return timestamp }
        case 10:
            if matches(p, start, "user-agent") { return userAgent }
            if matches(p, start, "flow-timer") { return flowTimer }
        case 11:
            if matches(p, start, "min-expires") { return minExpires }
            if matches(p, start, "unsupported") { return unsupported }
            if matches(p, start, "referred-by") { return referredBy }
            if matches(p, start, "retry-after") { return retryAfter }
        case 12:
            if matches(p, start, "max-forwards") { return maxForwards }
            if matches(p, start, "record-route") { return recordRoute }
            if matches(p, start, "allow-events") { return allowEvents }
            if matches(p, start, "content-type") { return contentType }
        case 13:
            if matches(p, start, "authorization") { return authorization }
            if matches(p, start, "proxy-require") { return proxyRequire }
        case 14:
            if matches(p, start, "content-length") { return contentLength }
            if matches(p, start, "accept-contact") { return acceptContact }
        case 15:
            if matches(p, start, "session-expires") { return sessionExpires }
        case 16:
            if matches(p, start, "www-authenticate") { return wwwAuthenticate }
            if matches(p, start, "content-encoding") { return contentEncoding }
        case 18:
            if matches(p, start, "proxy-authenticate") { return proxyAuthenticate }
            if matches(p, start, "subscription-state") { return subscriptionState }
        case 19:
            if matches(p, start, "proxy-authorization") { return proxyAuthorization }
            if matches(p, start, "authentication-info") { return authenticationInfo }
        default: break
        }
        return nil
    }

    /// True when `p[start...]` spells `lowercased` (an all-lower-case literal), ignoring ASCII case.
    @inline(__always)
    private static func matches(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ lowercased: StaticString) -> Bool {
        let q = lowercased.utf8Start
        for k in 0..<lowercased.utf8CodeUnitCount where Lexer.lower(p[start + k]) != q[k] { return false }
        return true
    }
}
