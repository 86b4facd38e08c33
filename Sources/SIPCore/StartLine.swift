/// The first line of a message (RFC 3261 §7.1 Request-Line, §7.2 Status-Line).
///
/// Errors in the SIP-Version and the Request-URI are kept rather than thrown, so the parser can
/// read the headers first and answer with 505 or 400/416.
enum StartLine {
    case request(method: SIPMethod, uri: SIPURI?, uriError: SIPParseError?, versionError: SIPParseError?)
    case response(status: Int, reason: String, versionError: SIPParseError?)

    static func parse(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, sub: (Int, Int) -> Substring,
        limits: SIPParserLimits
    ) throws(SIPParseError) -> StartLine {
        guard end > start else { throw SIPParseError(.malformedStartLine, "empty start line") }
        if end - start > limits.maxHeaderLineLength {
            throw SIPParseError(.limitExceeded, "start line longer than \(limits.maxHeaderLineLength) bytes")
        }
        if end - start >= 4, Lexer.lower(p[start]) == 0x73, Lexer.lower(p[start + 1]) == 0x69,
            Lexer.lower(p[start + 2]) == 0x70, p[start + 3] == Lexer.slash
        {
            return try parseStatusLine(p, start, end, sub: sub)
        }
        // Method SP Request-URI SP SIP-Version
        var i = start
        while i < end, Lexer.isToken(p[i]) { i += 1 }
        guard i > start, i < end, p[i] == Lexer.space else {
            throw SIPParseError(.malformedStartLine, "malformed request line")
        }
        let method = SIPMethod(String(sub(start, i)))
        let uriStart = i + 1
        var j = uriStart
        while j < end, p[j] != Lexer.space { j += 1 }
        guard j < end, j > uriStart else { throw SIPParseError(.malformedStartLine, "malformed request line") }
        let versionStart = j + 1
        guard versionStart < end, !p[versionStart..<end].contains(Lexer.space) else {
            throw SIPParseError(.malformedStartLine, "malformed request line")
        }
        let versionError = try checkVersion(p, versionStart, end)
        var uri: SIPURI?
        var uriError: SIPParseError?
        do {
            uri = try SIPURI.parse(sub(uriStart, j), limits: limits)
        } catch {
            uriError = error.code == .unsupportedURIScheme
                ? error : SIPParseError(error.code, "invalid Request-URI: \(error.reason)")
        }
        return .request(method: method, uri: uri, uriError: uriError, versionError: versionError)
    }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; "SIP" is case-insensitive (RFC 3261 §7.1).
    /// Returns an `unsupportedVersion` error for a well-formed version other than 2.0 and
    /// throws for text that is no version at all.
    static func checkVersion(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(SIPParseError)
        -> SIPParseError?
    {
        guard end - start >= 7, Lexer.lower(p[start]) == 0x73, Lexer.lower(p[start + 1]) == 0x69,
            Lexer.lower(p[start + 2]) == 0x70, p[start + 3] == Lexer.slash
        else { throw SIPParseError(.malformedStartLine, "malformed SIP-Version") }
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

    static func parseStatusLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, sub: (Int, Int) -> Substring)
        throws(SIPParseError) -> StartLine
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
        return .response(status: status, reason: String(sub(reasonStart, end)), versionError: versionError)
    }
}
