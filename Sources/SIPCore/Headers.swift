/// The header fields of a message, in order, with case-insensitive lookup (RFC 3261 §7.3).
///
/// Unknown headers are kept untouched and in place, so a proxy forwards what it does not
/// understand. Several lines of the same name and comma-separated values on one line are
/// equivalent (§7.3.1); ``values(_:limits:)`` returns the combined list.
///
/// Storage: a parsed message keeps its header section as one string and, per field, a small
/// plain entry (the name's id and the offsets of the line, name and value), so parsing creates
/// no per-field object and copying the headers retains one string. A ``SIPHeaderField`` is made
/// when a field is asked for; fields added in code are kept as they are given.
public struct SIPHeaders: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    /// The header section the parsed entries point into (empty when built in code).
    var text: String
    var entries: [Entry]
    /// Fields built in code (or folded lines), referred to by ``Entry/lineStart``.
    var custom: [SIPHeaderField]

    /// One field: plain data, no references.
    struct Entry: Sendable {
        /// ``SIPHeaderName/id`` of the name (0 for a name that is not well known).
        var id: UInt8
        /// The field is `custom[lineStart]`, not a span of `text`.
        var isCustom: Bool
        /// While parsing: the line is folded (its value is unfolded into a custom field).
        var isFolded: Bool = false
        /// UTF-8 offsets in `text`: the line, the end of the name, the trimmed value.
        var lineStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
        var lineEnd: Int32

        static func custom(_ index: Int, id: UInt8) -> Entry {
            Entry(
                id: id, isCustom: true, isFolded: false, lineStart: Int32(index), nameEnd: 0, valueStart: 0, valueEnd: 0,
                lineEnd: 0)
        }
    }

    public init() {
        text = ""
        entries = []
        custom = []
    }

    public init(_ fields: [SIPHeaderField]) {
        self.init(reservingCapacity: fields.count)
        for field in fields { append(field) }
    }

    init(reservingCapacity capacity: Int) {
        self.init()
        entries.reserveCapacity(capacity)
        custom.reserveCapacity(capacity)
    }

    /// Parsed headers: `entries` point into `text`; `custom` holds the folded lines.
    init(text: String, entries: [Entry], custom: [SIPHeaderField]) {
        self.text = text
        self.entries = entries
        self.custom = custom
    }

    /// Every field, in order.
    public var fields: [SIPHeaderField] { entries.map(field) }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> SIPHeaderField { field(entries[position]) }

    /// The value of the first field called `name`.
    public subscript(name: SIPHeaderName) -> Substring? {
        guard let index = firstIndex(of: name) else { return nil }
        return value(at: index)
    }

    /// The first field called `name`.
    public func first(_ name: SIPHeaderName) -> SIPHeaderField? {
        firstIndex(of: name).map { field(entries[$0]) }
    }

    /// Every field called `name`, in order.
    public func all(_ name: SIPHeaderName) -> [SIPHeaderField] {
        entries.indices.filter { matches($0, name) }.map { field(entries[$0]) }
    }

    /// True when at least one field is called `name`.
    public func contains(_ name: SIPHeaderName) -> Bool { firstIndex(of: name) != nil }

    /// The comma-separated values of every field called `name`, split outside quotes, angle
    /// brackets and comments (RFC 3261 §7.3.1). Empty elements are dropped.
    public func values(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError)
        -> [Substring]
    {
        var result: [Substring] = []
        try forEachValue(name, limits: limits) { value throws(SIPParseError) in result.append(value) }
        return result
    }

    /// Calls `body` with each comma-separated value of every field called `name`, as
    /// ``values(_:limits:)`` lists them, without building the list.
    func forEachValue(
        _ name: SIPHeaderName, limits: SIPParserLimits, _ body: (Substring) throws(SIPParseError) -> Void
    ) throws(SIPParseError) {
        var count = 0
        for index in entries.indices where matches(index, name) {
            try Lexer.forEachPart(
                value(at: index), separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting
            ) { part throws(SIPParseError) in
                count += 1
                if count > limits.maxHeaderCount {
                    throw SIPParseError(.limitExceeded, "too many \(name.canonical) values")
                }
                try body(part)
            }
        }
    }

    /// Appends a field at the end.
    public mutating func append(_ field: SIPHeaderField) {
        entries.append(addCustom(field))
    }

    /// Keeps `field` in `custom` and returns the entry that refers to it. Fields no entry refers
    /// to any more (replaced or removed) are dropped once they outnumber the live ones.
    private mutating func addCustom(_ field: SIPHeaderField) -> Entry {
        if custom.count >= 16, custom.count > 2 * entries.count {
            var live: [SIPHeaderField] = []
            for index in entries.indices where entries[index].isCustom {
                live.append(custom[Int(entries[index].lineStart)])
                entries[index].lineStart = Int32(live.count - 1)
            }
            custom = live
        }
        custom.append(field)
        return .custom(custom.count - 1, id: field.name.id)
    }

    /// Appends `name: value` at the end.
    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        append(SIPHeaderField(name, value))
    }

    /// Inserts a field before the first field called `name`, or at the end when none exists.
    /// Used for Via, Record-Route and Path, which are prepended (RFC 3261 §16.6).
    public mutating func prepend(_ field: SIPHeaderField) {
        if let index = firstIndex(of: field.name) {
            insert(field, at: index)
        } else {
            append(field)
        }
    }

    /// Inserts a field at an index.
    public mutating func insert(_ field: SIPHeaderField, at index: Int) {
        entries.insert(addCustom(field), at: index)
    }

    /// Replaces the field at `index`.
    public mutating func replace(at index: Int, with field: SIPHeaderField) {
        let entry = addCustom(field)
        entries[index] = entry
    }

    /// Removes the field at `index`.
    @discardableResult
    public mutating func remove(at index: Int) -> SIPHeaderField {
        let removed = field(entries[index])
        entries.remove(at: index)
        return removed
    }

    /// Removes every field called `name`.
    public mutating func removeAll(_ name: SIPHeaderName) {
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for index in entries.indices where !matches(index, name) { kept.append(entries[index]) }
        entries = kept
    }

    /// Replaces every field called `name` by one field `name: value`, in the place of the first.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        let field = SIPHeaderField(name, value)
        guard let index = firstIndex(of: name) else {
            append(field)
            return
        }
        replace(at: index, with: field)
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for i in entries.indices where i <= index || !matches(i, name) { kept.append(entries[i]) }
        entries = kept
    }

    /// Index of the first field called `name`.
    public func firstIndex(of name: SIPHeaderName) -> Int? {
        for index in entries.indices where matches(index, name) { return index }
        return nil
    }

    public var description: String { fields.map(\.description).joined(separator: "\r\n") }

    /// Fields are compared in order, by name (ignoring case and compact form) and value.
    public static func == (lhs: SIPHeaders, rhs: SIPHeaders) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for index in lhs.entries.indices {
            guard lhs.name(at: index) == rhs.name(at: index), lhs.value(at: index) == rhs.value(at: index) else {
                return false
            }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for index in entries.indices {
            hasher.combine(name(at: index))
            hasher.combine(value(at: index))
        }
    }

    // MARK: entries

    /// True when the field at `index` is called `name`; compares ids for well-known names and
    /// bytes for others, without making a field.
    @inline(__always)
    func matches(_ index: Int, _ name: SIPHeaderName) -> Bool {
        let entry = entries[index]
        if name.id != 0 { return entry.id == name.id }
        if entry.id != 0 { return false }
        if entry.isCustom { return custom[Int(entry.lineStart)].name == name }
        return Lexer.equalsIgnoringCase(SIPHeaders.slice(text, entry.lineStart, entry.nameEnd), name.key)
    }

    /// The value of the field at `index`.
    func value(at index: Int) -> Substring {
        let entry = entries[index]
        if entry.isCustom { return custom[Int(entry.lineStart)].value }
        return SIPHeaders.slice(text, entry.valueStart, entry.valueEnd)
    }

    /// Calls `body` with the UTF-8 bytes of the value of field `index`, the text they are in and
    /// their offset in it, without making a substring of the value (typed headers parse the
    /// bytes and keep ranges of the text).
    func withValueBytes<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>, Substring, Int) -> R) -> R {
        let entry = entries[index]
        if entry.isCustom {
            let value = custom[Int(entry.lineStart)].value
            return Lexer.withUTF8(value) { body($0, value, 0) }
        }
        let (start, end) = (Int(entry.valueStart), Int(entry.valueEnd))
        if let result = text.utf8.withContiguousStorageIfAvailable({
            body(UnsafeBufferPointer(rebasing: $0[start..<end]), Substring(text), start)
        }) {
            return result
        }
        let value = value(at: index)
        return Lexer.withUTF8(value) { body($0, value, 0) }
    }

    /// The name of the field at `index`.
    func name(at index: Int) -> SIPHeaderName {
        let entry = entries[index]
        if entry.isCustom { return custom[Int(entry.lineStart)].name }
        if entry.id != 0 { return SIPHeaderName.byID[Int(entry.id)] }
        return SIPHeaderName.resolve(SIPHeaders.slice(text, entry.lineStart, entry.nameEnd))
    }

    func field(_ entry: Entry) -> SIPHeaderField {
        if entry.isCustom { return custom[Int(entry.lineStart)] }
        let name =
            entry.id != 0
            ? SIPHeaderName.byID[Int(entry.id)]
            : SIPHeaderName.resolve(SIPHeaders.slice(text, entry.lineStart, entry.nameEnd))
        return SIPHeaderField(
            name: name, text: text, lineStart: Int(entry.lineStart), lineEnd: Int(entry.lineEnd),
            nameEnd: Int(entry.nameEnd), valueStart: Int(entry.valueStart), valueEnd: Int(entry.valueEnd))
    }

    /// `text[start..<end]` by UTF-8 offsets.
    @inline(__always)
    static func slice(_ text: String, _ start: Int32, _ end: Int32) -> Substring {
        let utf8 = text.utf8
        let lo = utf8.index(utf8.startIndex, offsetBy: Int(start))
        let hi = utf8.index(lo, offsetBy: Int(end - start))
        return Substring(utf8[lo..<hi])
    }

    /// Appends every field in wire form, each followed by CRLF.
    func write(into out: inout [UInt8]) {
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for entry in entries {
                if entry.isCustom {
                    custom[Int(entry.lineStart)].write(into: &out)
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[Int(entry.lineStart)..<Int(entry.lineEnd)]))
                }
                out.append(Lexer.cr)
                out.append(Lexer.lf)
            }
        }
        if written == nil {
            for entry in entries {
                field(entry).write(into: &out)
                out.append(Lexer.cr)
                out.append(Lexer.lf)
            }
        }
    }

    /// Length of the wire form of every field, CRLFs included.
    var wireLength: Int {
        var size = 0
        for entry in entries {
            size += entry.isCustom ? custom[Int(entry.lineStart)].wireLength : Int(entry.lineEnd - entry.lineStart)
            size += 2
        }
        return size
    }
}
