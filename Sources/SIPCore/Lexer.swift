/// Character classes and small scanning helpers from the RFC 3261 §25.1 grammar.
///
/// Everything here works on UTF-8 code units so that scanning never decodes characters.
enum Lexer {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let at: UInt8 = 0x40
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let ampersand: UInt8 = 0x26
    static let percent: UInt8 = 0x25
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29

    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = true }
        for c in "-.!%*_+`'~".utf8 { table[Int(c)] = true }
        return table
    }()

    /// ``tokenTable`` as two 64-bit masks (bytes 0–63 and 64–127), so the hot loops need no
    /// array access.
    static let tokenMaskLow: UInt64 = 0x03FF_6CA2_0000_0000
    static let tokenMaskHigh: UInt64 = 0x47FF_FFFF_87FF_FFFE

    @inline(__always) static func isToken(_ byte: UInt8) -> Bool {
        byte < 64 ? (tokenMaskLow >> UInt64(byte)) & 1 != 0
            : byte < 128 ? (tokenMaskHigh >> UInt64(byte &- 64)) & 1 != 0 : false
    }

    /// The high bit of each byte of the result is set when that byte of `word` is not zero
    /// (exact: no carries cross bytes).
    @inline(__always) static func nonZeroBytes(_ word: UInt64) -> UInt64 {
        (((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word) & 0x8080_8080_8080_8080
    }
    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
    }
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        if isDigit(byte) { return byte - 0x30 }
        let lower = byte | 0x20
        if lower >= 0x61 && lower <= 0x66 { return lower - 0x61 + 10 }
        return nil
    }
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// True when `text` is a non-empty `token`.
    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isToken($0) }
    }

    /// Removes leading and trailing linear white space (SP, HTAB, CR, LF).
    static func trim(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isLWS(utf8[start]) { start = utf8.index(after: start) }
        while end > start {
            let before = utf8.index(before: end)
            if !isLWS(utf8[before]) { break }
            end = before
        }
        return text[start..<end]
    }

    @inline(__always) static func isLWS(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == cr || byte == lf
    }

    /// ASCII case-insensitive equality.
    static func equalsIgnoringCase<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        var i = x.startIndex, j = y.startIndex
        while i < x.endIndex {
            if lower(x[i]) != lower(y[j]) { return false }
            i = x.index(after: i)
            j = y.index(after: j)
        }
        return true
    }

    /// Lower-cases ASCII letters only (header names, host names, parameter names).
    static func lowercasedASCII<S: StringProtocol>(_ text: S) -> String {
        if !text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return String(text) }
        return String(decoding: text.utf8.map { lower($0) }, as: UTF8.self)
    }

    /// Splits `text` at `separator` bytes that are outside quoted strings, angle brackets and
    /// comments; each part is trimmed, empty parts are dropped. Used for comma-separated header
    /// values (RFC 3261 §7.3.1) and parameter lists.
    /// `nesting` bounds the depth of comments and angle brackets (``SIPParserLimits/maxNesting``).
    /// With `keepingEmpty`, empty parts between separators are kept (as empty substrings) so that
    /// callers can refuse them; a trailing separator then gives a last empty part too.
    static func split(
        _ text: Substring, separator: UInt8, limit: Int, nesting: Int = 32, keepingEmpty: Bool = false
    ) throws(SIPParseError) -> [Substring] {
        var parts: [Substring] = []
        try forEachPart(text, separator: separator, limit: limit, nesting: nesting, keepingEmpty: keepingEmpty) {
            parts.append($0)
        }
        return parts
    }

    /// Calls `body` with each part ``split(_:separator:limit:nesting:keepingEmpty:)`` would
    /// return, in order, without building the list. The text is checked first (quotes, brackets,
    /// nesting, the number of parts), so `body` sees no part of a text that is refused.
    static func forEachPart(
        _ text: Substring, separator: UInt8, limit: Int, nesting: Int = 32, keepingEmpty: Bool = false,
        _ body: (Substring) throws(SIPParseError) -> Void
    ) throws(SIPParseError) {
        var failure: SIPParseError?
        withUTF8(text) { p in
            failure = scanParts(p, separator: separator, limit: limit, nesting: nesting, keepingEmpty: keepingEmpty) {
                _, _ in true
            }
        }
        if let failure { throw failure }
        withUTF8(text) { p in
            _ = scanParts(p, separator: separator, limit: .max, nesting: .max, keepingEmpty: keepingEmpty) {
                start, end in
                do throws(SIPParseError) { try body(substring(text, start, end)) } catch {
                    failure = error
                    return false
                }
                return true
            }
        }
        if let failure { throw failure }
    }

    /// The scan behind ``forEachPart``: calls `part` with the trimmed bounds of each part (it
    /// returns false to stop) and returns the first fault found.
    static func scanParts(
        _ p: UnsafeBufferPointer<UInt8>, separator: UInt8, limit: Int, nesting: Int, keepingEmpty: Bool,
        _ part: (Int, Int) -> Bool
    ) -> SIPParseError? {
        var parts = 0
        var partStart = 0
        var index = 0
        var inQuotes = false
        var angleDepth = 0
        var commentDepth = 0
        let count = p.count
        func emit(_ start: Int, _ end: Int, last: Bool) -> Bool {
            var lo = start
            var hi = end
            while lo < hi, isLWS(p[lo]) { lo += 1 }
            while hi > lo, isLWS(p[hi - 1]) { hi -= 1 }
            guard lo < hi || (keepingEmpty && (!last || parts > 0)) else { return true }
            parts += 1
            return part(lo, hi)
        }
        // The bytes that matter outside quoted strings: " ( ) < > and the separator (all below 64).
        precondition(separator < 64, "separators are ASCII punctuation")
        let specials: UInt64 = 1 << 0x22 | 1 << 0x28 | 1 << 0x29 | 1 << 0x3C | 1 << 0x3E | 1 << UInt64(separator)
        while index < count {
            let byte = p[index]
            if inQuotes {
                if byte == backslash {
                    index += 1
                    if index == count { break }
                } else if byte == quote {
                    inQuotes = false
                }
            } else if byte >= 64 || (specials >> UInt64(byte)) & 1 == 0 {
                // Ordinary bytes are skipped in this branch alone.
            } else if byte == quote {
                inQuotes = true
            } else if byte == lessThan {
                angleDepth += 1
                if angleDepth > nesting { return SIPParseError(.limitExceeded, "angle brackets nested too deeply") }
            } else if byte == greaterThan {
                if angleDepth > 0 { angleDepth -= 1 }
            } else if byte == openParen, angleDepth == 0 {
                commentDepth += 1
                if commentDepth > nesting { return SIPParseError(.limitExceeded, "comments nested too deeply") }
            } else if byte == closeParen, commentDepth > 0 {
                commentDepth -= 1
            } else if byte == separator, angleDepth == 0, commentDepth == 0 {
                guard emit(partStart, index, last: false) else { return nil }
                if parts > limit { return SIPParseError(.limitExceeded, "too many list elements") }
                partStart = index + 1
            }
            index += 1
        }
        if inQuotes { return SIPParseError(.invalidHeaderValue, "unterminated quoted string") }
        if angleDepth != 0 { return SIPParseError(.invalidHeaderValue, "unbalanced angle brackets") }
        _ = emit(partStart, count, last: true)
        return nil
    }

    /// Calls `body` with the UTF-8 bytes of `text` (contiguous for any native string; copied
    /// otherwise).
    @inline(__always)
    static func withUTF8<R>(_ text: Substring, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(text)
        return copy.withUTF8(body)
    }

    /// Calls `body` with the UTF-8 bytes of `text` (contiguous for any native string; copied
    /// otherwise).
    @inline(__always)
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Calls `body` with the UTF-8 bytes of `text`, the string `text` is a part of, and the
    /// UTF-8 offset of `text` in it: what the typed parsers take, so that the ranges they keep
    /// refer to that string.
    static func withSource<R>(_ text: Substring, _ body: (UnsafeBufferPointer<UInt8>, String, Int) -> R) -> R {
        let base = text.base
        let start = base.utf8.distance(from: base.startIndex, to: text.startIndex)
        let end = start + text.utf8.count
        if let result = base.utf8.withContiguousStorageIfAvailable({ all in
            body(UnsafeBufferPointer(rebasing: all[start..<end]), base, start)
        }) {
            return result
        }
        let copy = String(text)
        return withUTF8(copy) { body($0, copy, 0) }
    }

    /// `text` from UTF-8 offset `start` to `end` (relative to its start).
    @inline(__always)
    static func substring(_ text: Substring, _ start: Int, _ end: Int) -> Substring {
        let utf8 = text.utf8
        let lo = utf8.index(utf8.startIndex, offsetBy: start)
        let hi = utf8.index(lo, offsetBy: end - start)
        return Substring(utf8[lo..<hi])
    }

    /// The content of a `quoted-string` with its `quoted-pair` escapes removed
    /// (RFC 3261 §25.1). Text that is not quoted is returned as it is.
    static func unquote(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.first == quote, utf8.last == quote else { return String(text) }
        let inner = text.utf8.dropFirst().dropLast()
        if !inner.contains(backslash) { return String(Substring(inner)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(inner.count)
        var escaped = false
        for byte in inner {
            if escaped { bytes.append(byte); escaped = false } else if byte == backslash { escaped = true } else { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The content of the `quoted-string` `p[start..<end]` (quotes included) with its
    /// `quoted-pair` escapes removed.
    static func unquote(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let inner = UnsafeBufferPointer(rebasing: p[(start + 1)..<(end - 1)])
        guard inner.contains(backslash) else { return String(decoding: inner, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(inner.count)
        var escaped = false
        for byte in inner {
            if escaped || byte != backslash {
                bytes.append(byte)
                escaped = false
            } else {
                escaped = true
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Quotes `text` as a `quoted-string`: `"` and `\` and control characters other than HTAB are
    /// written as `quoted-pair`s; CR and LF, which no quoted-pair can hold, become spaces
    /// (RFC 3261 §25.1).
    static func quote(_ text: String) -> String {
        // Nearly always nothing needs escaping (nonces, realms, URIs): one concatenation.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D:
                out.unicodeScalars.append(" ")
                continue
            case 0x22, 0x5C, 0x00...0x08, 0x0B...0x1F, 0x7F:
                out.unicodeScalars.append("\\")
            default: break
            }
            out.unicodeScalars.append(scalar)
        }
        out += "\""
        return out
    }

    /// How a `quoted-string` scan ended: see ``scanQuotedString(_:from:to:)``.
    enum QuotedString {
        /// Terminated; the offset just past the closing quote.
        case end(Int)
        /// The text ended inside the string.
        case unterminated
        /// A byte that is neither `qdtext` nor the second byte of a `quoted-pair`.
        case invalid
    }

    /// Scans the `quoted-string` whose opening quote is at `p[start]`, up to `end` (RFC 3261 §25.1):
    ///
    ///     qdtext      = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
    ///     quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
    ///
    /// A NUL is therefore legal only right after a backslash. Values are unfolded, so the only
    /// LWS left is SP and HTAB.
    static func scanQuotedString(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> QuotedString {
        let end = end ?? p.count
        var i = start + 1
        while i < end {
            let byte = p[i]
            // Most bytes: %x23-5B / %x5D-7E / UTF8-NONASCII.
            if byte >= 0x23, byte != backslash, byte != 0x7F {
                i += 1
                continue
            }
            if byte == quote { return .end(i + 1) }
            if byte == backslash {
                i += 1
                guard i < end else { return .unterminated }
                guard isQuotedPairByte(p[i]) else { return .invalid }
            } else if byte != space, byte != tab, byte != 0x21 {
                return .invalid
            }
            i += 1
        }
        return .unterminated
    }

    /// The offset just past the valid `quoted-string` that opens at `p[start]`, or nil.
    @inline(__always)
    static func quotedStringEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> Int? {
        if case .end(let after) = scanQuotedString(p, from: start, to: end) { return after }
        return nil
    }

    /// `qdtext` bytes of an unfolded value (SP and HTAB for LWS; UTF-8 validity is checked elsewhere).
    @inline(__always) static func isQDText(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || (byte >= 0x21 && byte != quote && byte != backslash && byte != 0x7F)
    }

    /// The byte after the backslash of a `quoted-pair`: %x00-09 / %x0B-0C / %x0E-7F.
    @inline(__always) static func isQuotedPairByte(_ byte: UInt8) -> Bool {
        byte <= 0x7F && byte != lf && byte != cr
    }

    /// True when `text` is exactly one valid `quoted-string`.
    static func isQuotedString(_ text: Substring) -> Bool {
        withUTF8(text) { p in p.first == quote && quotedStringEnd(p, from: 0) == p.count }
    }

    /// True when every NUL byte of a header section is the second byte of a `quoted-pair` inside
    /// a quoted string (RFC 3261 §25.1), the only place where a NUL is legal. Quote state is
    /// tracked per header field (a continuation line keeps it) so that an unbalanced quote in a
    /// value such as a Call-ID does not hide a NUL on a later line.
    static func nulBytesAreQuotedPairs(_ p: UnsafeRawBufferPointer) -> Bool {
        var inQuotes = false
        var i = 0
        let count = p.count
        while i < count {
            let byte = p[i]
            if byte == lf {
                if i + 1 >= count || !isWhitespace(p[i + 1]) { inQuotes = false }
            } else if byte == 0 {
                return false
            } else if inQuotes {
                if byte == backslash {
                    if i + 1 < count, p[i + 1] != lf, p[i + 1] != cr { i += 1 }
                } else if byte == quote {
                    inQuotes = false
                }
            } else if byte == quote {
                inQuotes = true
            }
            i += 1
        }
        return true
    }

    /// Parses a decimal number made only of digits, refusing overflow past `max`.
    static func parseDecimal<S: StringProtocol>(_ text: S, max: UInt64 = UInt64(UInt32.max)) -> UInt64? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in utf8 {
            guard isDigit(byte) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 || a > max { return nil }
            value = a
        }
        return value
    }

    /// Parses the decimal number `p[start..<end]` (digits only), refusing overflow past `max`.
    @inline(__always)
    static func parseDecimal(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, max: UInt64 = UInt64(UInt32.max)
    ) -> UInt64? {
        guard end > start, end - start <= 20 else { return nil }
        var value: UInt64 = 0
        for i in start..<end {
            let byte = p[i]
            guard isDigit(byte) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(byte &- 0x30))
            if o1 || o2 || a > max { return nil }
            value = a
        }
        return value
    }

    /// `p[range]` with ASCII letters upper-cased (no allocation up to 15 bytes).
    static func uppercasedASCII(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let bytes = UnsafeBufferPointer(rebasing: p[range])
        guard bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { out in
            for (i, byte) in bytes.enumerated() { out[i] = (byte >= 0x61 && byte <= 0x7A) ? byte - 0x20 : byte }
            return bytes.count
        }
    }
}
