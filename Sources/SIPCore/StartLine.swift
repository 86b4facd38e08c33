/// The first line of a message (RFC 3261 §7.1 Request-Line, §7.2 Status-Line).
///
/// A request line whose method can be read keeps its faults instead of throwing them, so the
/// parser can read the headers first and answer (RFC 3261 §8.2.2 ff.): `lineError` for a line
/// that is not `Method SP Request-URI SP SIP-Version` exactly (extra or missing white space, no
/// version: 400), `versionError` for a SIP-Version other than 2.0 (505), `uriError` for a
/// Request-URI that does not parse (400, or 416 for an unknown scheme). Only a line whose method
/// cannot be read at all throws.
enum StartLine {
    case request(method: SIPMethod, uri: SIPURI?, faults: RequestLineFaults)
    case response(status: Int, reason: String, versionError: SIPParseError?)

    /// What is wrong with a request line, most serious first.
    struct RequestLineFaults {
        /// The line is not `Method SP Request-URI SP SIP-Version`.
        var lineError: SIPParseError?
        /// A well-formed SIP-Version other than SIP/2.0.
        var versionError: SIPParseError?
        /// The Request-URI does not parse.
        var uriError: SIPParseError?
    }

    /// Parses the start line `p[start..<end]`; `p` holds the bytes of `text` (the header section),
    /// which the Request-URI's parameters refer to.
    static func parse(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, text: String, limits: SIPParserLimits
    ) throws(SIPParseError) -> StartLine {
        guard end > start else { throw SIPParseError(.malformedStartLine, "empty start line") }
        if end - start > limits.maxHeaderLineLength {
            throw SIPParseError(.limitExceeded, "start line longer than \(limits.maxHeaderLineLength) bytes")
        }
        if isSIPVersionPrefix(p, start, end) { return try parseStatusLine(p, start, end) }
        return try parseRequestLine(p, start, end, text: text, limits: limits)
    }

    /// True when `p[start..<end]` starts with `SIP/` in any case.
    @inline(__always)
    static func isSIPVersionPrefix(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        end - start >= 4 && Lexer.lower(p[start]) == 0x73 && Lexer.lower(p[start + 1]) == 0x69
            && Lexer.lower(p[start + 2]) == 0x70 && p[start + 3] == Lexer.slash
    }

    /// Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1, §25.1): single spaces,
    /// no white space before or after. The line is cut at white space so that the method, the
    /// Request-URI and the version can still be told apart when the spacing is wrong.
    static func parseRequestLine(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, text: String, limits: SIPParserLimits
    ) throws(SIPParseError) -> StartLine {
        var faults = RequestLineFaults()
        func lineFault(_ reason: String) {
            if faults.lineError == nil { faults.lineError = SIPParseError(.malformedStartLine, reason) }
        }
        var i = start
        while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
        if i > start { lineFault("white space before the request line") }
        let methodStart = i
        while i < end, Lexer.isToken(p[i]) { i += 1 }
        // Without a method followed by white space the line is not a request line at all.
        guard i > methodStart, i < end, Lexer.isWhitespace(p[i]) else {
            throw SIPParseError(.malformedStartLine, "malformed request line")
        }
        let method = SIPMethod.from(p, methodStart, i)

        // The rest, cut into words at runs of white space (the first three kept, the others counted).
        var words = (first: (0, 0), second: (0, 0), last: (0, 0))
        var wordCount = 0
        var singleSpaces = true
        while i < end {
            let gapStart = i
            while i < end, Lexer.isWhitespace(p[i]) { i += 1 }
            if i - gapStart != 1 || p[gapStart] != Lexer.space { singleSpaces = false }
            guard i < end else { break }
            let wordStart = i
            while i < end, !Lexer.isWhitespace(p[i]) { i += 1 }
            switch wordCount {
            case 0: words.first = (wordStart, i)
            case 1: words.second = (wordStart, i)
            default: words.last = (wordStart, i)
            }
            wordCount += 1
        }
        switch wordCount {
        case 0:
            lineFault("missing Request-URI")
            return .request(method: method, uri: nil, faults: faults)
        case 1:
            lineFault(
                isSIPVersionPrefix(p, words.first.0, words.first.1) ? "missing Request-URI" : "missing SIP-Version")
            return .request(method: method, uri: nil, faults: faults)
        case 2:
            if Lexer.isWhitespace(p[end - 1]) {
                lineFault("white space at the end of the request line")
            } else if !singleSpaces {
                lineFault("extra white space in the request line")
            }
        default:
            // White space inside the Request-URI (RFC 4475 §3.1.2.8) or the method, or junk
            // after the version.
            let uriSplit =
                wordCount == 3 && isSIPVersionPrefix(p, words.last.0, words.last.1)
                && p[words.first.0..<words.first.1].contains(Lexer.colon)
            lineFault(uriSplit ? "white space in the Request-URI" : "malformed request line")
            return .request(method: method, uri: nil, faults: faults)
        }
        let (uriStart, uriEnd) = words.first
        let (versionStart, versionEnd) = words.second
        do {
            faults.versionError = try checkVersion(p, versionStart, versionEnd)
        } catch {
            lineFault(error.reason)
        }
        do {
            let uri = try SIPURI.parse(
                UnsafeBufferPointer(rebasing: p[uriStart..<uriEnd]), source: text, offset: uriStart,
                limits: limits)
            // Headers are not allowed in a Request-URI (RFC 3261 §19.1.1, Table 1; RFC 4475 §3.1.2.11).
            if !uri.headers.isEmpty {
                faults.uriError = SIPParseError(.invalidURI, "invalid Request-URI: headers not allowed")
            }
            return .request(method: method, uri: uri, faults: faults)
        } catch {
            faults.uriError =
                error.code == .unsupportedURIScheme
                ? error : SIPParseError(error.code, "invalid Request-URI: \(error.reason)")
            return .request(method: method, uri: nil, faults: faults)
        }
    }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; "SIP" is case-insensitive (RFC 3261 §7.1).
    /// Returns an `unsupportedVersion` error for a well-formed version other than 2.0 and
    /// throws for text that is no version at all.
    static func checkVersion(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(SIPParseError)
        -> SIPParseError?
    {
        guard end - start >= 7, isSIPVersionPrefix(p, start, end) else {
            throw SIPParseError(.malformedStartLine, "malformed SIP-Version")
        }
        var i = start + 4
        let majorStart = i
        while i < end, Lexer.isDigit(p[i]) { i += 1 }
        guard i > majorStart, i < end, p[i] == 0x2E else {
            throw SIPParseError(.malformedStartLine, "malformed SIP-Version")
        }
        let majorEnd = i
        i += 1
        let minorStart = i
        while i < end, Lexer.isDigit(p[i]) { i += 1 }
        guard i == end, i > minorStart else { throw SIPParseError(.malformedStartLine, "malformed SIP-Version") }
        if majorEnd - majorStart == 1, p[majorStart] == 0x32, end - minorStart == 1, p[minorStart] == 0x30 {
            return nil
        }
        return SIPParseError(.unsupportedVersion, "SIP-Version not supported")
    }

    static func parseStatusLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(SIPParseError)
        -> StartLine
    {
        var i = start
        while i < end, p[i] != Lexer.space { i += 1 }
        let versionError = try checkVersion(p, start, i)
        guard i + 4 <= end, Lexer.isDigit(p[i + 1]), Lexer.isDigit(p[i + 2]), Lexer.isDigit(p[i + 3]) else {
            throw SIPParseError(.malformedStartLine, "malformed status line")
        }
        let status = Int(p[i + 1] - 0x30) * 100 + Int(p[i + 2] - 0x30) * 10 + Int(p[i + 3] - 0x30)
        guard status >= 100, status <= 699 else { throw SIPParseError(.malformedStartLine, "status code out of range") }
        var reasonStart = i + 4
        if reasonStart < end {
            guard p[reasonStart] == Lexer.space else { throw SIPParseError(.malformedStartLine, "malformed status line") }
            reasonStart += 1
        }
        return .response(status: status, reason: SIPURI.string(p, reasonStart, end), versionError: versionError)
    }
}
