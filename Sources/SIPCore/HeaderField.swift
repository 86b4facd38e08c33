/// One header field line (RFC 3261 §7.3): the name as written and its value.
///
/// A field parsed from the wire keeps its exact original line, so that a proxy forwarding the
/// message reproduces it byte for byte; a field built or changed in code is written as
/// `Name: value`.
///
/// A field parsed from an unfolded line stores only offsets into the message's header section;
/// `rawName`, `value` and the line are cut from it when asked for, so parsing a message creates
/// no per-field strings.
public struct SIPHeaderField: Sendable, Hashable, CustomStringConvertible {
    /// The resolved name: compact forms map to long names, comparison ignores case.
    public let name: SIPHeaderName
    private let storage: Storage

    private enum Storage: Sendable {
        /// An unchanged, unfolded line of `text`: UTF-8 offsets of the line, the end of the name
        /// and the trimmed value.
        case span(text: String, lineStart: Int, lineEnd: Int, nameEnd: Int, valueStart: Int, valueEnd: Int)
        /// A folded line (its value unfolded) or a field built in code (`line` nil).
        case parts(rawName: Substring, value: Substring, line: Substring?)
    }

    /// The name as written (original case; a compact form stays compact).
    public var rawName: Substring {
        switch storage {
        case .span(let text, let lineStart, _, let nameEnd, _, _): SIPHeaderField.slice(text, lineStart, nameEnd)
        case .parts(let rawName, _, _): rawName
        }
    }

    /// The value, with leading/trailing white space removed and folded lines joined by one space.
    public var value: Substring {
        switch storage {
        case .span(let text, _, _, _, let valueStart, let valueEnd): SIPHeaderField.slice(text, valueStart, valueEnd)
        case .parts(_, let value, _): value
        }
    }

    /// The original line (without its CRLF), when the field came from the wire unchanged.
    var line: Substring? {
        switch storage {
        case .span(let text, let lineStart, let lineEnd, _, _, _): SIPHeaderField.slice(text, lineStart, lineEnd)
        case .parts(_, _, let line): line
        }
    }

    /// A field with the canonical spelling of `name`.
    public init(_ name: SIPHeaderName, _ value: String) {
        self.name = name
        self.storage = .parts(rawName: Substring(name.canonical), value: Substring(value), line: nil)
    }

    /// A field with `name` spelled as given.
    public init(name: String, value: String) {
        self.name = SIPHeaderName(name)
        self.storage = .parts(rawName: Substring(name), value: Substring(value), line: nil)
    }

    init(rawName: Substring, value: Substring, name: SIPHeaderName, line: Substring?) {
        self.name = name
        self.storage = .parts(rawName: rawName, value: value, line: line)
    }

    /// A field parsed from the unfolded line `text[lineStart..<lineEnd]` (UTF-8 offsets) whose
    /// name ends at `nameEnd` and whose trimmed value is `text[valueStart..<valueEnd]`.
    init(name: SIPHeaderName, text: String, lineStart: Int, lineEnd: Int, nameEnd: Int, valueStart: Int, valueEnd: Int) {
        self.name = name
        self.storage = .span(
            text: text, lineStart: lineStart, lineEnd: lineEnd, nameEnd: nameEnd, valueStart: valueStart,
            valueEnd: valueEnd)
    }

    /// Appends the wire form, `Name: value` or the original line, without CRLF.
    func write(into out: inout [UInt8]) {
        switch storage {
        case .span(let text, let lineStart, let lineEnd, _, _, _):
            let written = text.utf8.withContiguousStorageIfAvailable { bytes in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
            }
            if written == nil { out.append(contentsOf: SIPHeaderField.slice(text, lineStart, lineEnd).utf8) }
        case .parts(let rawName, let value, let line):
            if let line {
                out.append(contentsOf: line.utf8)
            } else {
                out.append(contentsOf: rawName.utf8)
                out.append(Lexer.colon)
                out.append(Lexer.space)
                out.append(contentsOf: value.utf8)
            }
        }
    }

    /// Length of the wire form without CRLF.
    var wireLength: Int {
        switch storage {
        case .span(_, let lineStart, let lineEnd, _, _, _): lineEnd - lineStart
        case .parts(let rawName, let value, let line): line?.utf8.count ?? (rawName.utf8.count + value.utf8.count + 2)
        }
    }

    private static func slice(_ text: String, _ start: Int, _ end: Int) -> Substring {
        let utf8 = text.utf8
        let lo = utf8.index(utf8.startIndex, offsetBy: start)
        let hi = utf8.index(lo, offsetBy: end - start)
        return Substring(utf8[lo..<hi])
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
