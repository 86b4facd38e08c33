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
    }

    public private(set) var elements: [Parameter]

    public init() { elements = [] }
    public init(_ elements: [Parameter]) { self.elements = elements }

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }
    public func makeIterator() -> IndexingIterator<[Parameter]> { elements.makeIterator() }

    /// True when a parameter named `name` is present (with or without a value).
    public func contains(_ name: String) -> Bool {
        elements.contains { Lexer.equalsIgnoringCase($0.name, name) }
    }

    /// The raw value of `name` as written (quotes kept); `nil` when absent or valueless.
    public func rawValue(_ name: String) -> String? {
        elements.first { Lexer.equalsIgnoringCase($0.name, name) }?.value
    }

    /// The value of `name` with quoted-string escapes removed; `nil` when absent or valueless.
    public func value(_ name: String) -> String? {
        rawValue(name).map { Lexer.unquote(Substring($0)) }
    }

    /// Sets `name` to `value` (raw, as it should be written), replacing an existing one in place
    /// or appending a new one.
    public mutating func set(_ name: String, _ value: String?) {
        if let index = elements.firstIndex(where: { Lexer.equalsIgnoringCase($0.name, name) }) {
            elements[index].value = value
        } else {
            elements.append(Parameter(name: name, value: value))
        }
    }

    /// Removes every parameter called `name`.
    public mutating func remove(_ name: String) {
        elements.removeAll { Lexer.equalsIgnoringCase($0.name, name) }
    }

    /// `;name=value;flag` as written.
    public var description: String {
        var out = ""
        for parameter in elements {
            out += ";"
            out += parameter.name
            if let value = parameter.value {
                out += "="
                out += value
            }
        }
        return out
    }

    /// Parses `;a=b;c` (the leading `;` optional). Names must be tokens; values are tokens,
    /// hosts or quoted strings (`allowQuoted`). An empty parameter (`;;`, or a `;` at the end)
    /// is an error: `*( SEMI generic-param )` has none (RFC 3261 §25.1, RFC 4475 §3.1.2.1).
    static func parse(_ text: Substring, limits: SIPParserLimits, allowQuoted: Bool = true) throws(SIPParseError)
        -> SIPParameters
    {
        var result = SIPParameters()
        var rest = text
        if rest.utf8.first == Lexer.semicolon {
            rest = rest.dropFirst()
            if Lexer.trim(rest).isEmpty { throw SIPParseError(.invalidHeaderValue, "empty parameter") }
        }
        let parts = try Lexer.split(
            rest, separator: Lexer.semicolon, limit: limits.maxParameters, nesting: limits.maxNesting,
            keepingEmpty: true)
        if parts.count > limits.maxParameters {
            throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) parameters")
        }
        result.elements.reserveCapacity(parts.count)
        for part in parts {
            guard !part.isEmpty else { throw SIPParseError(.invalidHeaderValue, "empty parameter") }
            if let eq = part.utf8.firstIndex(of: Lexer.equals) {
                let name = Lexer.trim(part[part.startIndex..<eq])
                let value = Lexer.trim(part[part.utf8.index(after: eq)...])
                guard Lexer.isToken(name) else {
                    throw SIPParseError(.invalidHeaderValue, "invalid parameter name")
                }
                if value.utf8.first == Lexer.quote {
                    guard allowQuoted, Lexer.isQuotedString(value) else {
                        throw SIPParseError(.invalidHeaderValue, "invalid quoted parameter value")
                    }
                } else if value.utf8.contains(where: { Lexer.isLWS($0) || $0 == Lexer.quote }) {
                    throw SIPParseError(.invalidHeaderValue, "invalid parameter value")
                }
                result.elements.append(Parameter(name: String(name), value: String(value)))
            } else {
                let name = Lexer.trim(part)
                guard Lexer.isToken(name) else {
                    throw SIPParseError(.invalidHeaderValue, "invalid parameter name")
                }
                result.elements.append(Parameter(name: String(name), value: nil))
            }
        }
        return result
    }
}
