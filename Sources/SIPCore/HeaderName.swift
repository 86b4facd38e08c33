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

    /// The well-known names by ``id`` (index 0, no well-known name, holds a placeholder).
    static let byID: [SIPHeaderName] = {
        var table = [SIPHeaderName](repeating: SIPHeaderName(canonical: "", key: "", id: 0), count: all.count + 1)
        for name in all { table[Int(name.id)] = name }
        return table
    }()

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
    static func wellKnown(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> SIPHeaderName? {
        let id = wellKnownID(p, start, end)
        return id == 0 ? nil : byID[Int(id)]
    }

    /// The ``id`` of the well-known name (or compact form) spelled by the token `p[start..<end]`
    /// in any case, or 0. Compares up to eight bytes at a time, folded to lower case: no
    /// allocation, no hashing. Names it does not list still resolve through ``init(_:)``, so
    /// this is purely a fast path; it must agree with ``all`` and ``compactForms`` (a test checks).
    static func wellKnownID(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt8 {
        switch end - start {
        case 1:
            switch p[start] | 0x20 {
            case 0x61: return 38  // a
            case 0x62: return 35  // b
            case 0x63: return 27  // c
            case 0x65: return 29  // e
            case 0x66: return 2  // f
            case 0x69: return 4  // i
            case 0x6B: return 23  // k
            case 0x6C: return 28  // l
            case 0x6D: return 7  // m
            case 0x6F: return 18  // o
            case 0x72: return 34  // r
            case 0x73: return 33  // s
            case 0x74: return 3  // t
            case 0x75: return 20  // u
            case 0x76: return 1  // v
            case 0x78: return 36  // x
            case 0x79: return 37  // y
            default: return 0
            }
        case 2:
            let w0 = folded(p, start + 0, 2)
            if w0 == 0x6F74 { return 3 }  // to
            return 0
        case 3:
            let w0 = folded(p, start + 0, 3)
            if w0 == 0x616976 { return 1 }  // via
            return 0
        case 4:
            let w0 = folded(p, start + 0, 4)
            if w0 == 0x6D6F7266 { return 2 }  // from
            if w0 == 0x71657363 { return 5 }  // cseq
            if w0 == 0x68746170 { return 12 }  // path
            if w0 == 0x65746164 { return 32 }  // date
            return 0
        case 5:
            let w0 = folded(p, start + 0, 5)
            if w0 == 0x6574756F72 { return 10 }  // route
            if w0 == 0x746E657665 { return 18 }  // event
            if w0 == 0x776F6C6C61 { return 21 }  // allow
            return 0
        case 6:
            let w0 = folded(p, start + 0, 6)
            if w0 == 0x747065636361 { return 22 }  // accept
            if w0 == 0x726576726573 { return 31 }  // server
            return 0
        case 7:
            let w0 = folded(p, start + 0, 7)
            if w0 == 0x64692D6C6C6163 { return 4 }  // call-id
            if w0 == 0x746361746E6F63 { return 7 }  // contact
            if w0 == 0x73657269707865 { return 8 }  // expires
            if w0 == 0x65726975716572 { return 24 }  // require
            if w0 == 0x7463656A627573 { return 33 }  // subject
            if w0 == 0x676E696E726177 { return 40 }  // warning
            return 0
        case 8:
            let w0 = folded(p, start + 0, 8)
            if w0 == 0x6F742D7265666572 { return 34 }  // refer-to
            if w0 == 0x797469746E656469 { return 37 }  // identity
            return 0
        case 9:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 1)
            if w0 == 0x6574726F70707573 && w1 == 0x64 { return 23 }  // supported
            if w0 == 0x6D617473656D6974 && w1 == 0x70 { return 41 }  // timestamp
            return 0
        case 10:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 2)
            if w0 == 0x6567612D72657375 && w1 == 0x746E { return 30 }  // user-agent
            if w0 == 0x6D69742D776F6C66 && w1 == 0x7265 { return 42 }  // flow-timer
            return 0
        case 11:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 3)
            if w0 == 0x697078652D6E696D && w1 == 0x736572 { return 9 }  // min-expires
            if w0 == 0x726F707075736E75 && w1 == 0x646574 { return 26 }  // unsupported
            if w0 == 0x6465727265666572 && w1 == 0x79622D { return 35 }  // referred-by
            if w0 == 0x66612D7972746572 && w1 == 0x726574 { return 39 }  // retry-after
            return 0
        case 12:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 4)
            if w0 == 0x77726F662D78616D && w1 == 0x73647261 { return 6 }  // max-forwards
            if w0 == 0x722D64726F636572 && w1 == 0x6574756F { return 11 }  // record-route
            if w0 == 0x76652D776F6C6C61 && w1 == 0x73746E65 { return 20 }  // allow-events
            if w0 == 0x2D746E65746E6F63 && w1 == 0x65707974 { return 27 }  // content-type
            return 0
        case 13:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 5)
            if w0 == 0x7A69726F68747561 && w1 == 0x6E6F697461 { return 13 }  // authorization
            if w0 == 0x65722D79786F7270 && w1 == 0x6572697571 { return 25 }  // proxy-require
            return 0
        case 14:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 6)
            if w0 == 0x2D746E65746E6F63 && w1 == 0x6874676E656C { return 28 }  // content-length
            if w0 == 0x632D747065636361 && w1 == 0x746361746E6F { return 38 }  // accept-contact
            return 0
        case 15:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 7)
            if w0 == 0x2D6E6F6973736573 && w1 == 0x73657269707865 { return 36 }  // session-expires
            return 0
        case 16:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 8)
            if w0 == 0x687475612D777777 && w1 == 0x6574616369746E65 { return 15 }  // www-authenticate
            if w0 == 0x2D746E65746E6F63 && w1 == 0x676E69646F636E65 { return 29 }  // content-encoding
            return 0
        case 18:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 8)
            let w2 = folded(p, start + 16, 2)
            if w0 == 0x75612D79786F7270 && w1 == 0x616369746E656874 && w2 == 0x6574 { return 16 }  // proxy-authenticate
            if w0 == 0x7069726373627573 && w1 == 0x6174732D6E6F6974 && w2 == 0x6574 { return 19 }  // subscription-state
            return 0
        case 19:
            let w0 = folded(p, start + 0, 8)
            let w1 = folded(p, start + 8, 8)
            let w2 = folded(p, start + 16, 3)
            // proxy-authorization
            if w0 == 0x75612D79786F7270 && w1 == 0x74617A69726F6874,
                w2 == 0x6E6F69
            {
                return 14
            }
            // authentication-info
            if w0 == 0x69746E6568747561 && w1 == 0x692D6E6F69746163,
                w2 == 0x6F666E
            {
                return 17
            }
            return 0
        default: return 0
        }
    }

    /// `count` (1…8) bytes at `offset`, little-endian, each OR 0x20: ASCII letters lower-cased.
    /// For token bytes this is exact: only a letter folds onto a lower-case letter, and the
    /// literals compared with hold letters and `-` only.
    @inline(__always)
    private static func folded(_ p: UnsafeBufferPointer<UInt8>, _ offset: Int, _ count: Int) -> UInt64 {
        var word: UInt64
        if offset + 8 <= p.count {
            word = UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + offset).loadUnaligned(as: UInt64.self))
            if count < 8 { word &= (1 << UInt64(count * 8)) &- 1 }
        } else {
            word = 0
            for k in 0..<count { word |= UInt64(p[offset + k]) << UInt64(k * 8) }
        }
        let fold: UInt64 = 0x2020_2020_2020_2020
        return word | (count == 8 ? fold : fold & ((1 << UInt64(count * 8)) &- 1))
    }
}
