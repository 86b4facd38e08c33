/// Removes the secrets from a SIP message before it is written to a trace (`--trace-sip`).
///
/// What is a secret in a SIP message: the digest `response` of `Authorization` and
/// `Proxy-Authorization` (RFC 3261 §22.4, RFC 7616 §3.4: with the nonce it would let anyone
/// replay or brute-force the password offline), and the server's `rspauth` in
/// `Authentication-Info` / `Proxy-Authentication-Info` (RFC 7616 §3.5, RFC 3261 §20.6). Their
/// values become `"…"`; everything else stays byte for byte, `nonce`, `cnonce`, `nc` and
/// `username` included (they identify the exchange, not the password). Bodies are kept: a SIP
/// body of ours is SDP or a `message/http` head (RFC 5989), never a configuration file (those
/// go over HTTPS, not SIP) and never a password; resync NOTIFYs have none.
///
/// Works on the bytes of a whole message (start line, header lines, blank line, body); header
/// names are matched case-insensitively, folded continuation lines (RFC 3261 §7.3.1) of a
/// credential header are redacted too, and a `response=` inside a quoted string (a `uri`
/// parameter) is left alone.
public enum SIPTraceRedaction {
    /// Lower-case names of the headers whose secret parameters are redacted.
    public static let credentialHeaders: Set<String> = [
        "authorization", "proxy-authorization", "authentication-info", "proxy-authentication-info",
    ]
    /// Lower-case names of the parameters whose values are secrets.
    public static let secretParameters: Set<String> = ["response", "rspauth"]
    /// What a secret value becomes.
    public static let placeholder: [UInt8] = Array("\"…\"".utf8)

    /// `message` with every secret value replaced by ``placeholder``.
    public static func redact(_ message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var start = 0
        var isFirstLine = true
        var inCredentialHeader = false
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != lineFeed { end += 1 }
            let next = end < bytes.count ? end + 1 : end
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == carriageReturn { contentEnd -= 1 }
            if contentEnd == start, !isFirstLine {
                // The blank line: the body follows, copied as is.
                out.append(contentsOf: bytes[start...])
                return out
            }
            if isFirstLine {
                out.append(contentsOf: bytes[start..<next])
                isFirstLine = false
            } else if bytes[start] == space || bytes[start] == tab {
                if inCredentialHeader {
                    redactParameters(bytes, start..<contentEnd, into: &out)
                    out.append(contentsOf: bytes[contentEnd..<next])
                } else {
                    out.append(contentsOf: bytes[start..<next])
                }
            } else if let colon = bytes[start..<contentEnd].firstIndex(of: colonByte) {
                inCredentialHeader = credentialHeaders.contains(lowercased(trimmed(bytes, start..<colon)))
                if inCredentialHeader {
                    out.append(contentsOf: bytes[start...colon])
                    redactParameters(bytes, (colon + 1)..<contentEnd, into: &out)
                    out.append(contentsOf: bytes[contentEnd..<next])
                } else {
                    out.append(contentsOf: bytes[start..<next])
                }
            } else {
                inCredentialHeader = false
                out.append(contentsOf: bytes[start..<next])
            }
            start = next
        }
        return out
    }

    /// Copies `range` of a credential header's value, replacing the values of
    /// ``secretParameters``; quoted strings are copied whole.
    static func redactParameters(_ bytes: [UInt8], _ range: Range<Int>, into out: inout [UInt8]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = bytes[index]
            if byte == quote {
                let close = endOfQuotedString(bytes, from: index, end: end)
                out.append(contentsOf: bytes[index..<close])
                index = close
                continue
            }
            guard isTokenByte(byte) else {
                out.append(byte)
                index += 1
                continue
            }
            var tokenEnd = index
            while tokenEnd < end, isTokenByte(bytes[tokenEnd]) { tokenEnd += 1 }
            var equals = tokenEnd
            while equals < end, bytes[equals] == space || bytes[equals] == tab { equals += 1 }
            guard equals < end, bytes[equals] == equalsByte, secretParameters.contains(lowercased(bytes[index..<tokenEnd])) else {
                out.append(contentsOf: bytes[index..<tokenEnd])
                index = tokenEnd
                continue
            }
            var value = equals + 1
            while value < end, bytes[value] == space || bytes[value] == tab { value += 1 }
            out.append(contentsOf: bytes[index..<value])
            var valueEnd = value
            if valueEnd < end, bytes[valueEnd] == quote {
                valueEnd = endOfQuotedString(bytes, from: valueEnd, end: end)
            } else {
                while valueEnd < end, bytes[valueEnd] != comma, bytes[valueEnd] != space, bytes[valueEnd] != tab { valueEnd += 1 }
            }
            out.append(contentsOf: placeholder)
            index = valueEnd
        }
    }

    /// The index after the closing quote of the quoted string opening at `open` (RFC 3261
    /// §25.1 `quoted-pair` escapes honoured), or `end` when it does not close.
    static func endOfQuotedString(_ bytes: [UInt8], from open: Int, end: Int) -> Int {
        var index = open + 1
        while index < end {
            if bytes[index] == backslash {
                index += 2
                continue
            }
            if bytes[index] == quote { return index + 1 }
            index += 1
        }
        return end
    }

    /// RFC 3261 §25.1 `token` characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"), UInt8(ascii: "_"),
            UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> ArraySlice<UInt8> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == space || bytes[lower] == tab { lower += 1 }
        while upper > lower, bytes[upper - 1] == space || bytes[upper - 1] == tab { upper -= 1 }
        return bytes[lower..<upper]
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let colonByte = UInt8(ascii: ":")
    private static let equalsByte = UInt8(ascii: "=")
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
}
