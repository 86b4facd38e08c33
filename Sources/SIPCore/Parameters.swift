/// An ordered list of `;name=value` parameters (RFC 3261 §25.1 `generic-param`, `uri-parameter`).
///
/// Order and original spelling are kept for serialization; lookup by name ignores ASCII case.
/// Values are kept as written (a quoted-string keeps its quotes); ``value(_:)`` unquotes.
public struct SIPParameters: Sendable, Hashable, Sequence, CustomStringConvertible {
    /// One parameter: a name and an optional value, both as written.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String?
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        /// The value with a quoted-string's quotes and escapes removed (RFC 3261 §25.1); nil
        /// when valueless.
        public var unquotedValue: String? { value.map { Lexer.unquote(Substring($0)) } }
    }

    /// Parsed parameters, as their text (nil once built or changed in code).
    private var text: ParameterText?
    /// The parameters when `text` is nil.
    private var list: [Parameter]

    /// The parameters, in order.
    public var elements: [Parameter] { text?.elements ?? list }

    public init() {
        text = nil
        list = []
    }

    public init(_ elements: [Parameter]) {
        text = nil
        list = elements
    }

    /// Parameters parsed from `text`, already checked.
    init(text: ParameterText) {
        self.text = text.isEmpty ? nil : text
        list = []
    }

    public var isEmpty: Bool { text == nil && list.isEmpty }
    public var count: Int { text?.count ?? list.count }
    public func makeIterator() -> IndexingIterator<[Parameter]> { elements.makeIterator() }

    /// True when a parameter named `name` is present (with or without a value).
    public func contains(_ name: String) -> Bool {
        if let text { return text.contains(name) }
        return list.contains { Lexer.equalsIgnoringCase($0.name, name) }
    }

    /// The raw value of `name` as written (quotes kept); `nil` when absent or valueless.
    public func rawValue(_ name: String) -> String? {
        if let text { return text.rawValue(name) ?? nil }
        return list.first { Lexer.equalsIgnoringCase($0.name, name) }?.value
    }

    /// The value of `name` with quoted-string escapes removed; `nil` when absent or valueless.
    public func value(_ name: String) -> String? {
        rawValue(name).map { Lexer.unquote(Substring($0)) }
    }

    /// Sets `name` to `value` (raw, as it should be written), replacing an existing one in place
    /// or appending a new one.
    public mutating func set(_ name: String, _ value: String?) {
        var elements = self.elements
        if let index = elements.firstIndex(where: { Lexer.equalsIgnoringCase($0.name, name) }) {
            elements[index].value = value
        } else {
            elements.append(Parameter(name: name, value: value))
        }
        self = SIPParameters(elements)
    }

    /// Removes every parameter called `name`.
    public mutating func remove(_ name: String) {
        guard contains(name) else { return }
        self = SIPParameters(elements.filter { !Lexer.equalsIgnoringCase($0.name, name) })
    }

    /// `;name=value;flag` as written.
    public var description: String {
        var out = ""
        if let text {
            text.write(into: &out)
            return out
        }
        for parameter in list {
            out += ";"
            out += parameter.name
            if let value = parameter.value {
                out += "="
                out += value
            }
        }
        return out
    }

    /// Parameters are equal when they list the same names and values in the same order.
    public static func == (lhs: SIPParameters, rhs: SIPParameters) -> Bool {
        if lhs.text == nil, rhs.text == nil { return lhs.list == rhs.list }
        return lhs.elements == rhs.elements
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(elements) }

    /// Parses `;a=b;c` (the leading `;` optional). Names must be tokens; values are tokens,
    /// hosts or quoted strings (`allowQuoted`). An empty parameter (`;;`, or a `;` at the end)
    /// is an error: `*( SEMI generic-param )` has none (RFC 3261 §25.1, RFC 4475 §3.1.2.1).
    /// Nothing is copied: the result refers to `text`.
    static func parse(_ text: Substring, limits: SIPParserLimits, allowQuoted: Bool = true) throws(SIPParseError)
        -> SIPParameters
    {
        var failure: SIPParseError?
        var parameters = SIPParameters()
        Lexer.withSource(text) { p, source, offset in
            do throws(SIPParseError) {
                let (start, end) = try check(p, separator: Lexer.semicolon, limits: limits, allowQuoted: allowQuoted)
                parameters = SIPParameters(
                    text: ParameterText(
                        source: source, start: Int32(offset + start), end: Int32(offset + end), style: .header))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return parameters
    }

    /// Parses the parameters whose bytes `p` start at UTF-8 offset `offset` of `source`.
    /// `tags` counts the parameters called `tag`.
    static func parse(
        _ p: UnsafeBufferPointer<UInt8>, source: String, offset: Int, limits: SIPParserLimits, tags: inout Int
    ) throws(SIPParseError) -> SIPParameters {
        let (start, end) = try check(p, separator: Lexer.semicolon, limits: limits, tags: &tags)
        return SIPParameters(
            text: ParameterText(
                source: source, start: Int32(offset + start), end: Int32(offset + end), style: .header))
    }

    /// Checks `p` as a parameter list `;a=b;c` (the leading `;` optional; empty parameters
    /// refused). Returns the bounds of the list without its leading `;`.
    static func check(
        _ p: UnsafeBufferPointer<UInt8>, separator: UInt8, limits: SIPParserLimits, allowQuoted: Bool = true
    ) throws(SIPParseError) -> (Int, Int) {
        var tags = 0
        return try check(p, separator: separator, limits: limits, allowQuoted: allowQuoted, tags: &tags)
    }

    static func check(
        _ p: UnsafeBufferPointer<UInt8>, separator: UInt8, limits: SIPParserLimits, allowQuoted: Bool = true,
        tags: inout Int
    ) throws(SIPParseError) -> (Int, Int) {
        var start = 0
        if separator == Lexer.semicolon, p.first == Lexer.semicolon {
            start = 1
            var i = 1
            while i < p.count, Lexer.isLWS(p[i]) { i += 1 }
            if i == p.count { throw SIPParseError(.invalidHeaderValue, "empty parameter") }
        }
        let list = UnsafeBufferPointer(rebasing: p[start...])
        var count = 0
        var failure: SIPParseError?
        failure =
            Lexer.scanParts(
                list, separator: separator, limit: limits.maxParameters, nesting: limits.maxNesting,
                keepingEmpty: separator == Lexer.semicolon
            ) { lo, hi in
                count += 1
                failure = checkParameter(list, lo, hi, allowQuoted: allowQuoted)
                // "tag" in any case, alone or before "=" or white space.
                if hi - lo >= 3, Lexer.lower(list[lo]) == 0x74, Lexer.lower(list[lo + 1]) == 0x61,
                    Lexer.lower(list[lo + 2]) == 0x67,
                    lo + 3 == hi || list[lo + 3] == Lexer.equals || Lexer.isLWS(list[lo + 3])
                {
                    tags += 1
                }
                return failure == nil
            } ?? failure
        if let failure { throw failure }
        if count > limits.maxParameters {
            throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) parameters")
        }
        return (start, p.count)
    }

    /// Checks one trimmed parameter `p[lo..<hi]`.
    private static func checkParameter(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, allowQuoted: Bool)
        -> SIPParseError?
    {
        guard lo < hi else { return SIPParseError(.invalidHeaderValue, "empty parameter") }
        var eq = lo
        while eq < hi, p[eq] != Lexer.equals { eq += 1 }
        var nameEnd = eq
        while nameEnd > lo, Lexer.isLWS(p[nameEnd - 1]) { nameEnd -= 1 }
        var i = lo
        while i < nameEnd, Lexer.isToken(p[i]) { i += 1 }
        guard nameEnd > lo, i == nameEnd else { return SIPParseError(.invalidHeaderValue, "invalid parameter name") }
        guard eq < hi else { return nil }
        var valueStart = eq + 1
        while valueStart < hi, Lexer.isLWS(p[valueStart]) { valueStart += 1 }
        if valueStart < hi, p[valueStart] == Lexer.quote {
            guard allowQuoted, Lexer.quotedStringEnd(p, from: valueStart, to: hi) == hi else {
                return SIPParseError(.invalidHeaderValue, "invalid quoted parameter value")
            }
            return nil
        }
        for k in valueStart..<hi where Lexer.isLWS(p[k]) || p[k] == Lexer.quote {
            return SIPParseError(.invalidHeaderValue, "invalid parameter value")
        }
        return nil
    }
}
