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
        let t = Lexer.trim(text)
        guard !t.isEmpty else { throw SIPParseError(.invalidHeaderValue, "empty address") }
        let (open, close) = try SIPNameAddress.brackets(t, limits: limits)
        var displayName: String?
        var uriText: Substring
        var rest: Substring
        if let open, let close {
            let name = Lexer.trim(t[t.startIndex..<open])
            if !name.isEmpty {
                if name.utf8.first == Lexer.quote {
                    guard Lexer.isQuotedString(name) else {
                        throw SIPParseError(.invalidHeaderValue, "invalid display name")
                    }
                    displayName = Lexer.unquote(name)
                } else {
                    // *(token LWS): tokens separated by white space.
                    guard name.utf8.allSatisfy({ Lexer.isToken($0) || Lexer.isWhitespace($0) }) else {
                        throw SIPParseError(.invalidHeaderValue, "invalid display name")
                    }
                    displayName = String(name)
                }
            }
            uriText = t[t.utf8.index(after: open)..<close]
            rest = t[t.utf8.index(after: close)...]
            if uriText.utf8.contains(where: { Lexer.isLWS($0) }) {
                throw SIPParseError(.invalidURI, "white space inside URI")
            }
        } else {
            if let semi = t.utf8.firstIndex(of: Lexer.semicolon) {
                uriText = t[t.startIndex..<semi]
                rest = t[semi...]
            } else {
                uriText = t
                rest = t[t.endIndex...]
            }
            uriText = Lexer.trim(uriText)
            if uriText.utf8.contains(where: {
                Lexer.isLWS($0) || $0 == Lexer.question || $0 == Lexer.comma || $0 == Lexer.quote
            }) {
                throw SIPParseError(.invalidHeaderValue, "addr-spec with reserved characters needs angle brackets")
            }
        }
        let uri = try SIPURI.parse(uriText, limits: limits)
        let restTrimmed = Lexer.trim(rest)
        var parameters = SIPParameters()
        if !restTrimmed.isEmpty {
            guard restTrimmed.utf8.first == Lexer.semicolon else {
                throw SIPParseError(.invalidHeaderValue, "unexpected text after address")
            }
            parameters = try SIPParameters.parse(restTrimmed, limits: limits)
            if parameters.elements.lazy.filter({ Lexer.equalsIgnoringCase($0.name, "tag") }).count > 1 {
                throw SIPParseError(.invalidHeaderValue, "more than one tag parameter")
            }
        }
        self.init(displayName: displayName, uri: uri, parameters: parameters)
    }

    /// The `<` and `>` around the URI of a name-addr (nil, nil for an addr-spec), found outside
    /// quoted strings, which are checked on the way.
    static func brackets(_ t: Substring, limits: SIPParserLimits) throws(SIPParseError) -> (
        Substring.Index?, Substring.Index?
    ) {
        let utf8 = t.utf8
        var open: Substring.Index?
        var close: Substring.Index?
        var depth = 0
        var pairs = 0
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == Lexer.quote {
                switch Lexer.scanQuotedString(utf8, from: i) {
                case .end(let end): i = end
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
            i = utf8.index(after: i)
        }
        guard depth == 0 else { throw SIPParseError(.invalidHeaderValue, "missing '>' in address") }
        // One pair only: nested or repeated brackets are no name-addr.
        guard pairs <= 1 else { throw SIPParseError(.invalidHeaderValue, "nested or repeated angle brackets") }
        return (open, close)
    }
}
