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
    public init(parsing text: Substring, limits: SIPParserLimits = .default) throws(SIPParseError) {
        let t = Lexer.trim(text)
        guard !t.isEmpty else { throw SIPParseError(.invalidHeaderValue, "empty address") }
        var displayName: String?
        var uriText: Substring
        var rest: Substring
        if let open = Lexer.firstUnquoted(Lexer.lessThan, in: t) {
            let name = Lexer.trim(t[t.startIndex..<open])
            if !name.isEmpty {
                if name.utf8.first == Lexer.quote {
                    guard SIPNameAddress.isOneQuotedString(name) else {
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
            let afterOpen = t[t.utf8.index(after: open)...]
            guard let close = afterOpen.utf8.firstIndex(of: Lexer.greaterThan) else {
                throw SIPParseError(.invalidHeaderValue, "missing '>' in address")
            }
            uriText = afterOpen[afterOpen.startIndex..<close]
            rest = afterOpen[afterOpen.utf8.index(after: close)...]
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
            if uriText.utf8.contains(where: { Lexer.isLWS($0) || $0 == Lexer.question || $0 == Lexer.comma }) {
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
        }
        self.init(displayName: displayName, uri: uri, parameters: parameters)
    }

    /// True when `text` is exactly one `quoted-string`: the quote that closes the opening one
    /// (skipping `quoted-pair` escapes) is its last byte.
    static func isOneQuotedString(_ text: Substring) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.first == Lexer.quote else { return false }
        var index = utf8.index(after: utf8.startIndex)
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == Lexer.backslash {
                index = utf8.index(after: index)
                if index == utf8.endIndex { return false }
            } else if byte == Lexer.quote {
                return utf8.index(after: index) == utf8.endIndex
            }
            index = utf8.index(after: index)
        }
        return false
    }
}
