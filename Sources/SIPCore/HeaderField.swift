/// One header field line (RFC 3261 §7.3): the name as written and its value.
///
/// A field parsed from the wire keeps its exact original line, so that a proxy forwarding the
/// message reproduces it byte for byte; a field built or changed in code is written as
/// `Name: value`.
public struct SIPHeaderField: Sendable, Hashable, CustomStringConvertible {
    /// The name as written (original case; a compact form stays compact).
    public let rawName: Substring
    /// The value, with leading/trailing white space removed and folded lines joined by one space.
    public let value: Substring
    /// The resolved name: compact forms map to long names, comparison ignores case.
    public let name: SIPHeaderName
    /// The original line (without its CRLF), when the field came from the wire unchanged.
    let line: Substring?

    /// A field with the canonical spelling of `name`.
    public init(_ name: SIPHeaderName, _ value: String) {
        self.rawName = Substring(name.canonical)
        self.value = Substring(value)
        self.name = name
        self.line = nil
    }

    /// A field with `name` spelled as given.
    public init(name: String, value: String) {
        self.rawName = Substring(name)
        self.value = Substring(value)
        self.name = SIPHeaderName(name)
        self.line = nil
    }

    init(rawName: Substring, value: Substring, name: SIPHeaderName, line: Substring?) {
        self.rawName = rawName
        self.value = value
        self.name = name
        self.line = line
    }

    /// `Name: value` as it is written on the wire (without CRLF).
    public var description: String { line.map(String.init) ?? "\(rawName): \(value)" }

    /// Fields are equal when their names (ignoring case and compact form) and values are equal.
    public static func == (lhs: SIPHeaderField, rhs: SIPHeaderField) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}
