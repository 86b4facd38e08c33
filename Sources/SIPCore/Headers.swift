/// The header fields of a message, in order, with case-insensitive lookup (RFC 3261 §7.3).
///
/// Unknown headers are kept untouched and in place, so a proxy forwards what it does not
/// understand. Several lines of the same name and comma-separated values on one line are
/// equivalent (§7.3.1); ``values(_:limits:)`` returns the combined list.
///
/// Storage: one reference per message. A parsed message keeps its header section as one string
/// and, per field, a small plain entry (the name's id and the offsets of the line, name and
/// value), all in one buffer; parsing creates no per-field object and copying the headers
/// retains one object. A ``SIPHeaderField`` is made when a field is asked for; fields added in
/// code are kept as they are given. The buffer is copied on write.
public struct SIPHeaders: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    /// `nonisolated(unsafe)`: the buffer is copied on write (see ``Storage``), so a buffer that
    /// two values (and so two threads) share is only ever read.
    nonisolated(unsafe) var storage: Storage

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
                id: id, isCustom: true, isFolded: false, lineStart: Int32(index), nameEnd: 0, valueStart: 0,
                valueEnd: 0, lineEnd: 0)
        }
    }

    /// What the buffer holds besides the entries.
    struct StorageHeader {
        /// The header section the parsed entries point into (empty when built in code).
        var text: String
        /// Fields built in code (or folded lines), referred to by ``Entry/lineStart``.
        var custom: [SIPHeaderField]
        var count: Int
        var capacity: Int
    }

    /// The entries, allocated with the header in one block. A buffer is changed only through
    /// ``SIPHeaders``' mutating methods, and only while `isKnownUniquelyReferenced` (copy on
    /// write); a buffer shared between values (and so between threads) is never written.
    final class Storage: ManagedBuffer<StorageHeader, Entry> {
        /// The header, read and written through its address: no dynamic exclusivity check, which
        /// `header` (a class property) costs on every access.
        @inline(__always) var info: StorageHeader {
            get { withUnsafeMutablePointerToHeader { $0.pointee } }
            _modify {
                let pointer = withUnsafeMutablePointerToHeader { $0 }
                yield &pointer.pointee
            }
        }

        @inline(__always) var count: Int {
            get { withUnsafeMutablePointerToHeader { $0.pointee.count } }
            set { withUnsafeMutablePointerToHeader { $0.pointee.count = newValue } }
        }

        @inline(__always) var room: Int { withUnsafeMutablePointerToHeader { $0.pointee.capacity } }

        @inline(__always) var text: String { withUnsafeMutablePointerToHeader { $0.pointee.text } }

        @inline(__always) func custom(_ index: Int) -> SIPHeaderField {
            withUnsafeMutablePointerToHeader { $0.pointee.custom[index] }
        }

        static func make(text: String, custom: [SIPHeaderField], capacity: Int) -> Storage {
            let buffer = Storage.create(minimumCapacity: capacity) { _ in
                StorageHeader(text: text, custom: custom, count: 0, capacity: capacity)
            }
            return unsafeDowncast(buffer, to: Storage.self)
        }

        /// A copy with room for `capacity` entries.
        func copy(capacity: Int) -> Storage {
            let info = self.info
            let copy = Storage.make(text: info.text, custom: info.custom, capacity: Swift.max(capacity, info.count))
            let count = info.count
            withUnsafeMutablePointerToElements { from in
                copy.withUnsafeMutablePointerToElements { to in to.initialize(from: from, count: count) }
            }
            copy.count = count
            return copy
        }

        @inline(__always) subscript(index: Int) -> Entry {
            get { withUnsafeMutablePointerToElements { $0[index] } }
            set { withUnsafeMutablePointerToElements { $0[index] = newValue } }
        }
    }

    public init() {
        self.init(reservingCapacity: 0)
    }

    public init(_ fields: [SIPHeaderField]) {
        self.init(reservingCapacity: fields.count)
        for field in fields { append(field) }
    }

    init(reservingCapacity capacity: Int) {
        storage = Storage.make(text: "", custom: [], capacity: capacity)
    }

    /// The text parsed entries point into.
    var text: String {
        get { storage.text }
        set {
            makeUnique(capacity: count)
            storage.info.text = newValue
        }
    }

    /// Every field, in order.
    public var fields: [SIPHeaderField] { indices.map { field(entry($0)) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    public subscript(position: Int) -> SIPHeaderField {
        precondition(position >= 0 && position < count, "header index out of range")
        return field(entry(position))
    }

    /// The value of the first field called `name`.
    public subscript(name: SIPHeaderName) -> Substring? {
        guard let index = firstIndex(of: name) else { return nil }
        return value(at: index)
    }

    /// The first field called `name`.
    public func first(_ name: SIPHeaderName) -> SIPHeaderField? {
        firstIndex(of: name).map { field(entry($0)) }
    }

    /// Every field called `name`, in order.
    public func all(_ name: SIPHeaderName) -> [SIPHeaderField] {
        indices.filter { matches($0, name) }.map { field(entry($0)) }
    }

    /// True when at least one field is called `name`.
    public func contains(_ name: SIPHeaderName) -> Bool { firstIndex(of: name) != nil }

    /// The comma-separated values of every field called `name`, split outside quotes, angle
    /// brackets and comments (RFC 3261 §7.3.1). Empty elements are dropped.
    public func values(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError)
        -> [Substring]
    {
        var result: [Substring] = []
        var count = 0
        for index in indices where matches(index, name) {
            try Lexer.forEachPart(
                value(at: index), separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting
            ) { part throws(SIPParseError) in
                count += 1
                if count > limits.maxHeaderCount {
                    throw SIPParseError(.limitExceeded, "too many \(name.canonical) values")
                }
                result.append(part)
            }
        }
        return result
    }

    /// Appends a field at the end.
    public mutating func append(_ field: SIPHeaderField) {
        insert(field, at: count)
    }

    /// Appends `name: value` at the end.
    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        append(SIPHeaderField(name, value))
    }

    /// Inserts a field before the first field called `name`, or at the end when none exists.
    /// Used for Via, Record-Route and Path, which are prepended (RFC 3261 §16.6).
    public mutating func prepend(_ field: SIPHeaderField) {
        insert(field, at: firstIndex(of: field.name) ?? count)
    }

    /// Inserts a field at an index.
    public mutating func insert(_ field: SIPHeaderField, at index: Int) {
        precondition(index >= 0 && index <= count, "header index out of range")
        let entry = addCustom(field)
        insertEntry(entry, at: index)
    }

    /// Replaces the field at `index`.
    public mutating func replace(at index: Int, with field: SIPHeaderField) {
        precondition(index >= 0 && index < count, "header index out of range")
        let entry = addCustom(field)
        storage[index] = entry
    }

    /// Removes the field at `index`.
    @discardableResult
    public mutating func remove(at index: Int) -> SIPHeaderField {
        precondition(index >= 0 && index < count, "header index out of range")
        let removed = field(entry(index))
        removeEntries { $0 == index }
        return removed
    }

    /// Removes every field called `name`.
    public mutating func removeAll(_ name: SIPHeaderName) {
        let matching = indices.filter { matches($0, name) }
        guard !matching.isEmpty else { return }
        removeEntries { matching.contains($0) }
    }

    /// Replaces every field called `name` by one field `name: value`, in the place of the first.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        guard let first = firstIndex(of: name) else {
            append(SIPHeaderField(name, value))
            return
        }
        replace(at: first, with: SIPHeaderField(name, value))
        let later = indices.filter { $0 > first && matches($0, name) }
        if !later.isEmpty { removeEntries { later.contains($0) } }
    }

    /// Index of the first field called `name`.
    public func firstIndex(of name: SIPHeaderName) -> Int? {
        for index in indices where matches(index, name) { return index }
        return nil
    }

    public var description: String { fields.map(\.description).joined(separator: "\r\n") }

    /// Fields are compared in order, by name (ignoring case and compact form) and value.
    public static func == (lhs: SIPHeaders, rhs: SIPHeaders) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in lhs.indices {
            guard lhs.name(at: index) == rhs.name(at: index), lhs.value(at: index) == rhs.value(at: index) else {
                return false
            }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for index in indices {
            hasher.combine(name(at: index))
            hasher.combine(value(at: index))
        }
    }

    // MARK: entries

    /// The entry of the field at `index`.
    @inline(__always) func entry(_ index: Int) -> Entry { storage[index] }

    /// Makes the buffer unique with room for `capacity` entries.
    private mutating func makeUnique(capacity: Int) {
        if !isKnownUniquelyReferenced(&storage) || capacity > storage.room {
            let room = storage.room
            storage = storage.copy(capacity: capacity > room ? Swift.max(capacity, 2 * room, 4) : room)
        }
    }

    /// Appends an entry: the parser's way to add a field, to headers it made and has not copied
    /// (so the buffer is known to be unique).
    @inline(__always)
    mutating func appendParsed(_ entry: Entry) {
        let count = storage.count
        if count == storage.room { storage = storage.copy(capacity: Swift.max(2 * count, 8)) }
        storage.withUnsafeMutablePointerToElements { ($0 + count).initialize(to: entry) }
        storage.count = count + 1
    }

    /// Replaces an entry in place.
    mutating func setEntry(_ index: Int, _ entry: Entry) {
        makeUnique(capacity: count)
        storage[index] = entry
    }

    private mutating func insertEntry(_ entry: Entry, at index: Int) {
        let count = self.count
        makeUnique(capacity: count + 1)
        storage.withUnsafeMutablePointerToElements { elements in
            if index < count { (elements + index + 1).moveInitialize(from: elements + index, count: count - index) }
            (elements + index).initialize(to: entry)
        }
        storage.count = count + 1
    }

    private mutating func removeEntries(where remove: (Int) -> Bool) {
        makeUnique(capacity: count)
        var kept = 0
        storage.withUnsafeMutablePointerToElements { elements in
            for index in 0..<storage.count where !remove(index) {
                elements[kept] = elements[index]
                kept += 1
            }
        }
        storage.count = kept
    }

    /// Keeps `field` in `custom` and returns the entry that refers to it. Fields no entry refers
    /// to any more (replaced or removed) are dropped once they outnumber the live ones.
    mutating func addCustom(_ field: SIPHeaderField) -> Entry {
        makeUnique(capacity: count)
        let custom = storage.info.custom
        if custom.count >= 16, custom.count > 2 * count {
            var live: [SIPHeaderField] = []
            for index in indices where storage[index].isCustom {
                live.append(custom[Int(storage[index].lineStart)])
                storage[index].lineStart = Int32(live.count - 1)
            }
            storage.info.custom = live
        }
        storage.info.custom.append(field)
        return .custom(storage.info.custom.count - 1, id: field.name.id)
    }

    /// True when the field at `index` is called `name`; compares ids for well-known names and
    /// bytes for others, without making a field.
    @inline(__always)
    func matches(_ index: Int, _ name: SIPHeaderName) -> Bool {
        let entry = entry(index)
        if name.id != 0 { return entry.id == name.id }
        if entry.id != 0 { return false }
        if entry.isCustom { return storage.custom(Int(entry.lineStart)).name == name }
        return Lexer.equalsIgnoringCase(SIPHeaders.slice(text, entry.lineStart, entry.nameEnd), name.key)
    }

    /// The value of the field at `index`.
    func value(at index: Int) -> Substring {
        let entry = entry(index)
        if entry.isCustom { return storage.custom(Int(entry.lineStart)).value }
        return SIPHeaders.slice(text, entry.valueStart, entry.valueEnd)
    }

    /// Calls `body` with the UTF-8 bytes of the value of field `index`, the text they are in and
    /// their offset in it, without making a substring of the value (typed headers parse the
    /// bytes and keep ranges of the text).
    func withValueBytes<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>, String, Int) -> R) -> R {
        let entry = entry(index)
        if entry.isCustom { return Lexer.withSource(storage.custom(Int(entry.lineStart)).value, body) }
        let text = self.text
        let (start, end) = (Int(entry.valueStart), Int(entry.valueEnd))
        if let result = text.utf8.withContiguousStorageIfAvailable({
            body(UnsafeBufferPointer(rebasing: $0[start..<end]), text, start)
        }) {
            return result
        }
        return Lexer.withSource(value(at: index), body)
    }

    /// The name of the field at `index`.
    func name(at index: Int) -> SIPHeaderName {
        let entry = entry(index)
        if entry.isCustom { return storage.custom(Int(entry.lineStart)).name }
        if entry.id != 0 { return SIPHeaderName.byID[Int(entry.id)] }
        return SIPHeaderName.resolve(SIPHeaders.slice(text, entry.lineStart, entry.nameEnd))
    }

    func field(_ entry: Entry) -> SIPHeaderField {
        if entry.isCustom { return storage.custom(Int(entry.lineStart)) }
        let text = self.text
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
        let text = self.text
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for index in indices {
                let entry = entry(index)
                if entry.isCustom {
                    storage.custom(Int(entry.lineStart)).write(into: &out)
                } else {
                    let line = Int(entry.lineStart)..<Int(entry.lineEnd)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[line]))
                }
                out.append(Lexer.cr)
                out.append(Lexer.lf)
            }
        }
        if written == nil {
            for index in indices {
                field(entry(index)).write(into: &out)
                out.append(Lexer.cr)
                out.append(Lexer.lf)
            }
        }
    }

    /// Length of the wire form of every field, CRLFs included.
    var wireLength: Int {
        var size = 0
        for index in indices {
            let entry = entry(index)
            size +=
                entry.isCustom
                ? storage.custom(Int(entry.lineStart)).wireLength : Int(entry.lineEnd - entry.lineStart)
            size += 2
        }
        return size
    }
}
