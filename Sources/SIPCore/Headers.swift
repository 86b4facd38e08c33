/// The header fields of a message, in order, with case-insensitive lookup (RFC 3261 §7.3).
///
/// Unknown headers are kept untouched and in place, so a proxy forwards what it does not
/// understand. Several lines of the same name and comma-separated values on one line are
/// equivalent (§7.3.1); ``values(_:)`` returns the combined list.
public struct SIPHeaders: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    public private(set) var fields: [SIPHeaderField]

    public init() { fields = [] }
    public init(_ fields: [SIPHeaderField]) { self.fields = fields }
    init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> SIPHeaderField { fields[position] }

    /// The value of the first field called `name`.
    public subscript(name: SIPHeaderName) -> Substring? {
        first(name)?.value
    }

    /// The first field called `name`.
    public func first(_ name: SIPHeaderName) -> SIPHeaderField? {
        for index in fields.indices where fields[index].name == name { return fields[index] }
        return nil
    }

    /// Every field called `name`, in order.
    public func all(_ name: SIPHeaderName) -> [SIPHeaderField] {
        fields.filter { $0.name == name }
    }

    /// True when at least one field is called `name`.
    public func contains(_ name: SIPHeaderName) -> Bool { fields.contains { $0.name == name } }

    /// The comma-separated values of every field called `name`, split outside quotes, angle
    /// brackets and comments (RFC 3261 §7.3.1). Empty elements are dropped.
    public func values(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError)
        -> [Substring]
    {
        var result: [Substring] = []
        for index in fields.indices where fields[index].name == name {
            let parts = try Lexer.split(
                fields[index].value, separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting)
            result.append(contentsOf: parts)
            if result.count > limits.maxHeaderCount {
                throw SIPParseError(.limitExceeded, "too many \(name.canonical) values")
            }
        }
        return result
    }

    /// Appends a field at the end.
    public mutating func append(_ field: SIPHeaderField) { fields.append(field) }
    /// Appends `name: value` at the end.
    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        fields.append(SIPHeaderField(name, value))
    }

    /// Inserts a field before the first field called `name`, or at the end when none exists.
    /// Used for Via, Record-Route and Path, which are prepended (RFC 3261 §16.6).
    public mutating func prepend(_ field: SIPHeaderField) {
        if let index = fields.firstIndex(where: { $0.name == field.name }) {
            fields.insert(field, at: index)
        } else {
            fields.append(field)
        }
    }

    /// Inserts a field at an index.
    public mutating func insert(_ field: SIPHeaderField, at index: Int) { fields.insert(field, at: index) }

    /// Replaces the field at `index`.
    public mutating func replace(at index: Int, with field: SIPHeaderField) { fields[index] = field }

    /// Removes the field at `index`.
    @discardableResult
    public mutating func remove(at index: Int) -> SIPHeaderField { fields.remove(at: index) }

    /// Removes every field called `name`.
    public mutating func removeAll(_ name: SIPHeaderName) { fields.removeAll { $0.name == name } }

    /// Replaces every field called `name` by one field `name: value`, in the place of the first.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        let field = SIPHeaderField(name, value)
        if let index = fields.firstIndex(where: { $0.name == name }) {
            fields[index] = field
            var i = fields.index(after: index)
            while i < fields.endIndex {
                if fields[i].name == name { fields.remove(at: i) } else { i += 1 }
            }
        } else {
            fields.append(field)
        }
    }

    /// Index of the first field called `name`.
    public func firstIndex(of name: SIPHeaderName) -> Int? { fields.firstIndex { $0.name == name } }

    public var description: String { fields.map(\.description).joined(separator: "\r\n") }
}
