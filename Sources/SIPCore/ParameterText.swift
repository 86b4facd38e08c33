/// Parameters kept as the text they were parsed from: a range of a header value or URI that
/// was checked when it was parsed. Lookups scan the bytes; a list of ``SIPParameters/Parameter``
/// (a `String` per name and value) is made only when asked for.
struct ParameterText: Sendable {
    /// How the text is cut into parameters.
    enum Style: UInt8, Sendable {
        /// `;name=value` after a header value: cut at `;` outside quoted strings (and angle
        /// brackets and comments, as ``Lexer/split(_:separator:limit:nesting:keepingEmpty:)``
        /// does), white space around names and values trimmed.
        case header
        /// `;name=value` in a URI: cut at every `;`; there is no white space or quote.
        case uri
        /// `name=value, …` of an authentication header: as `header`, cut at `,`.
        case auth
    }

    /// The text the parameters are in (a message's header section, or a header value).
    var source: String
    /// UTF-8 offsets of the parameters in `source` (after any leading `;`).
    var start: Int32
    var end: Int32
    var style: Style

    var isEmpty: Bool { start == end }

    /// Calls `body` with the bytes of `source` and the bounds of each parameter's name and value
    /// (nil when it has none), in order, until it returns false.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, Range<Int>, Range<Int>?) -> Bool) {
        let (start, end, style) = (Int(self.start), Int(self.end), self.style)
        Lexer.withUTF8(source) { p in
            func visit(_ lo: Int, _ hi: Int) -> Bool {
                var eq = lo
                while eq < hi, p[eq] != Lexer.equals { eq += 1 }
                guard eq < hi else { return body(p, lo..<hi, nil) }
                guard style != .uri else { return body(p, lo..<eq, (eq + 1)..<hi) }
                var nameEnd = eq
                while nameEnd > lo, Lexer.isLWS(p[nameEnd - 1]) { nameEnd -= 1 }
                var valueStart = eq + 1
                while valueStart < hi, Lexer.isLWS(p[valueStart]) { valueStart += 1 }
                return body(p, lo..<nameEnd, valueStart..<hi)
            }
            if style == .uri {
                var lo = start
                while lo < end {
                    var hi = lo
                    while hi < end, p[hi] != Lexer.semicolon { hi += 1 }
                    guard visit(lo, hi) else { return }
                    lo = hi + 1
                }
                return
            }
            if style == .auth {
                _ = ParameterText.scanAuth(p, start, end, limit: .max) { name, value in body(p, name, value) }
                return
            }
            let part = UnsafeBufferPointer(rebasing: p[start..<end])
            _ = Lexer.scanParts(part, separator: Lexer.semicolon, limit: .max, nesting: .max, keepingEmpty: false) {
                lo, hi in visit(start + lo, start + hi)
            }
        }
    }

    /// The number of parameters.
    var count: Int {
        var n = 0
        forEach { _, _, _ in
            n += 1
            return true
        }
        return n
    }

    /// The first parameter called `name` (ASCII case ignored): `.some(nil)` when it has no value.
    func rawValue(_ name: String) -> String?? {
        var found: String??
        forEach { p, nameRange, valueRange in
            guard Lexer.equalsIgnoringCase(p, nameRange, name) else { return true }
            found = .some(valueRange.map { String(decoding: UnsafeBufferPointer(rebasing: p[$0]), as: UTF8.self) })
            return false
        }
        return found
    }

    /// True when a parameter is called `name` (ASCII case ignored).
    func contains(_ name: String) -> Bool {
        var found = false
        forEach { p, nameRange, _ in
            found = Lexer.equalsIgnoringCase(p, nameRange, name)
            return !found
        }
        return found
    }

    /// The parameters as a list.
    var elements: [SIPParameters.Parameter] {
        var list: [SIPParameters.Parameter] = []
        forEach { p, nameRange, valueRange in
            list.append(
                .init(
                    name: String(decoding: UnsafeBufferPointer(rebasing: p[nameRange]), as: UTF8.self),
                    value: valueRange.map { String(decoding: UnsafeBufferPointer(rebasing: p[$0]), as: UTF8.self) }))
            return true
        }
        return list
    }

    /// `;name=value;flag` (or `name=value, …` for `auth`), as ``SIPParameters/description`` writes
    /// a list: names and values as written, white space around them dropped.
    func write(into out: inout String) {
        var first = true
        forEach { p, nameRange, valueRange in
            if style == .auth {
                if !first { out += ", " }
            } else {
                out += ";"
            }
            first = false
            out += String(decoding: UnsafeBufferPointer(rebasing: p[nameRange]), as: UTF8.self)
            if let valueRange {
                out += "="
                out += String(decoding: UnsafeBufferPointer(rebasing: p[valueRange]), as: UTF8.self)
            }
            return true
        }
    }
}

extension ParameterText {
    /// Scans the parameters of an authentication header in `p[start..<end]`, in one pass:
    ///
    ///     auth-param *(COMMA auth-param), auth-param = token LWS "=" LWS ( token / quoted-string )
    ///
    /// (RFC 3261 §25.1, RFC 7616 §3.3; empty list elements are skipped). Calls `visit` with the
    /// bounds of each name and value (quotes included) until it returns false; returns the first
    /// fault, or nil.
    static func scanAuth(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, limit: Int, _ visit: (Range<Int>, Range<Int>) -> Bool
    ) -> SIPParseError? {
        var i = start
        var count = 0
        while true {
            while i < end, Lexer.isLWS(p[i]) || p[i] == Lexer.comma { i += 1 }
            if i >= end { return nil }
            let nameStart = i
            while i < end, Lexer.isToken(p[i]) { i += 1 }
            let nameEnd = i
            guard nameEnd > nameStart else { return SIPParseError(.invalidHeaderValue, "invalid auth parameter name") }
            while i < end, Lexer.isLWS(p[i]) { i += 1 }
            guard i < end, p[i] == Lexer.equals else {
                return SIPParseError(.invalidHeaderValue, "auth parameter without '='")
            }
            i += 1
            while i < end, Lexer.isLWS(p[i]) { i += 1 }
            let valueStart = i
            if i < end, p[i] == Lexer.quote {
                guard let after = Lexer.quotedStringEnd(p, from: i, to: end) else {
                    return SIPParseError(.invalidHeaderValue, "unterminated quoted auth parameter")
                }
                i = after
            } else {
                while i < end, Lexer.isToken(p[i]) { i += 1 }
                guard i > valueStart else { return SIPParseError(.invalidHeaderValue, "invalid auth parameter value") }
            }
            let valueEnd = i
            count += 1
            if count > limit { return SIPParseError(.limitExceeded, "too many auth parameters") }
            guard visit(nameStart..<nameEnd, valueStart..<valueEnd) else { return nil }
            while i < end, Lexer.isLWS(p[i]) { i += 1 }
            guard i == end || p[i] == Lexer.comma else {
                return SIPParseError(.invalidHeaderValue, "invalid auth parameter value")
            }
        }
    }
}

extension Lexer {
    /// ASCII case-insensitive equality of `p[range]` and `text`.
    @inline(__always)
    static func equalsIgnoringCase(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { q in
            guard q.count == range.count else { return false }
            var i = range.lowerBound
            for byte in q {
                if lower(p[i]) != lower(byte) { return false }
                i += 1
            }
            return true
        }
    }
}
