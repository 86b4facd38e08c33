/// A `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route,
/// Record-Route and Path (RFC 3261 §20.10, §20.20, §20.39; §25.1).
///
/// Without angle brackets, parameters after the URI belong to the header, not to the URI
/// (RFC 3261 §20); this type keeps them in ``parameters`` either way.
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, unquoted; nil when absent.
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters (`tag`, `expires`, `q`, `+sip.instance`, …).
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (From/To, RFC 3261 §19.3).
    public var tag: String? {
        get { parameters.rawValue("tag") }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") }
        }
    }

    /// Always written as a name-addr, with angle brackets, so URI parameters stay unambiguous.
    public var description: String {
        var out = ""
        if let displayName {
            out += Lexer.quote(displayName)
            out += " "
        }
        out += "<"
        out += uri.description
        out += ">"
        out += parameters.description
        return out
    }

    /// Parses one name-addr / addr-spec followed by `;params`.
    ///
    /// Refuses (RFC 3261 §25.1, RFC 4475 §3.1.2.6, §3.1.2.14, §3.1.2.15): an unterminated or
    /// invalid quoted string, a display name that is neither one quoted string nor tokens,
    /// nested or unbalanced angle brackets (deeper than ``SIPParserLimits/maxNesting`` is a
    /// `limitExceeded` error), white space inside the brackets, a URI that does not parse (an
    /// empty user in a sip/sips URI included) and a repeated `tag` parameter.
    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        var address: SIPNameAddress?
        var failure: SIPParseError?
        Lexer.withSource(text) { p, source, offset in
            do throws(SIPParseError) {
                address = try SIPNameAddress.parse(p, source: source, offset: offset, limits: limits)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        self = address.take().unsafelyUnwrapped
    }

    /// Parses the address whose UTF-8 bytes `p` start at UTF-8 offset `offset` of `source`; the
    /// URI and header parameters are kept as ranges of `source`.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, source: String, offset: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> SIPNameAddress
    {
        var start = 0
        var end = p.count
        while start < end, Lexer.isLWS(p[start]) { start += 1 }
        while end > start, Lexer.isLWS(p[end - 1]) { end -= 1 }
        guard start < end else { throw SIPParseError(.invalidHeaderValue, "empty address") }
        let (open, close) = try brackets(p, start, end, limits: limits)
        var displayName: String?
        let uriStart: Int
        let uriEnd: Int
        var rest: Int
        if let open, let close {
            var nameEnd = open
            while nameEnd > start, Lexer.isLWS(p[nameEnd - 1]) { nameEnd -= 1 }
            if nameEnd > start {
                if p[start] == Lexer.quote {
                    guard Lexer.quotedStringEnd(p, from: start, to: nameEnd) == nameEnd else {
                        throw SIPParseError(.invalidHeaderValue, "invalid display name")
                    }
                    displayName = Lexer.unquote(p, start, nameEnd)
                } else {
                    // *(token LWS): tokens separated by white space.
                    guard (start..<nameEnd).allSatisfy({ Lexer.isToken(p[$0]) || Lexer.isWhitespace(p[$0]) }) else {
                        throw SIPParseError(.invalidHeaderValue, "invalid display name")
                    }
                    displayName = SIPURI.string(p, start, nameEnd)
                }
            }
            uriStart = open + 1
            uriEnd = close
            rest = close + 1
            if (uriStart..<uriEnd).contains(where: { Lexer.isLWS(p[$0]) }) {
                throw SIPParseError(.invalidURI, "white space inside URI")
            }
        } else {
            var semi = start
            while semi < end, p[semi] != Lexer.semicolon { semi += 1 }
            var hi = semi
            while hi > start, Lexer.isLWS(p[hi - 1]) { hi -= 1 }
            uriStart = start
            uriEnd = hi
            rest = semi
            if (uriStart..<uriEnd).contains(where: {
                Lexer.isLWS(p[$0]) || p[$0] == Lexer.question || p[$0] == Lexer.comma || p[$0] == Lexer.quote
            }) {
                throw SIPParseError(.invalidHeaderValue, "addr-spec with reserved characters needs angle brackets")
            }
        }
        let uri = try SIPURI.parse(
            UnsafeBufferPointer(rebasing: p[uriStart..<uriEnd]), source: source, offset: offset + uriStart,
            limits: limits)
        while rest < end, Lexer.isLWS(p[rest]) { rest += 1 }
        var parameters = SIPParameters()
        if rest < end {
            guard p[rest] == Lexer.semicolon else {
                throw SIPParseError(.invalidHeaderValue, "unexpected text after address")
            }
            var tags = 0
            parameters = try SIPParameters.parse(
                UnsafeBufferPointer(rebasing: p[rest..<end]), source: source, offset: offset + rest, limits: limits,
                tags: &tags)
            if tags > 1 {
                throw SIPParseError(.invalidHeaderValue, "more than one tag parameter")
            }
        }
        return SIPNameAddress(displayName: displayName, uri: uri, parameters: parameters)
    }

    /// The `<` and `>` around the URI of a name-addr in `p[start..<end]` (nil, nil for an
    /// addr-spec), found outside quoted strings, which are checked on the way.
    static func brackets(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> (Int?, Int?)
    {
        var open: Int?
        var close: Int?
        var depth = 0
        var pairs = 0
        var i = start
        // '"' '<' '>': the bytes that matter here (all below 64).
        let specials: UInt64 = 1 << 0x22 | 1 << 0x3C | 1 << 0x3E
        while i < end {
            let byte = p[i]
            if byte >= 64 || (specials >> UInt64(byte)) & 1 == 0 {
                i += 1
                continue
            }
            if byte == Lexer.quote {
                switch Lexer.scanQuotedString(p, from: i, to: end) {
                case .end(let after): i = after
                case .unterminated: throw SIPParseError(.invalidHeaderValue, "unterminated quoted string")
                case .invalid: throw SIPParseError(.invalidHeaderValue, "invalid character in quoted string")
                }
                continue
            }
            if byte == Lexer.lessThan {
                depth += 1
                pairs += 1
                if depth > limits.maxNesting { throw SIPParseError(.limitExceeded, "angle brackets nested too deeply") }
                if open == nil { open = i }
            } else if byte == Lexer.greaterThan {
                guard depth > 0 else { throw SIPParseError(.invalidHeaderValue, "unbalanced '>' in address") }
                depth -= 1
                if close == nil { close = i }
            }
            i += 1
        }
        guard depth == 0 else { throw SIPParseError(.invalidHeaderValue, "missing '>' in address") }
        // One pair only: nested or repeated brackets are no name-addr.
        guard pairs <= 1 else { throw SIPParseError(.invalidHeaderValue, "nested or repeated angle brackets") }
        return (open, close)
    }
}
