import SIPCore
import Testing

/// Turns a readable multi-line literal into wire bytes: every `\n` becomes CRLF.
func wire(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[rest.startIndex..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}

/// Parses `bytes`, recording an issue (and returning nil) when parsing fails.
func parseOK(
    _ bytes: [UInt8], framing: SIPMessageParser.Framing = .datagram, limits: SIPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> SIPMessage? {
    do {
        return try SIPMessageParser(limits: limits).parse(bytes, framing: framing)
    } catch {
        Issue.record("unexpected parse error: \(error.code) \(error.reason)", sourceLocation: sourceLocation)
        return nil
    }
}

func parseRequest(
    _ text: String, framing: SIPMessageParser.Framing = .datagram, sourceLocation: SourceLocation = #_sourceLocation
) -> SIPRequest? {
    guard let message = parseOK(wire(text), framing: framing, sourceLocation: sourceLocation) else { return nil }
    guard let request = message.request else {
        Issue.record("expected a request", sourceLocation: sourceLocation)
        return nil
    }
    return request
}

func parseResponse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> SIPResponse? {
    guard let message = parseOK(wire(text), sourceLocation: sourceLocation) else { return nil }
    guard let response = message.response else {
        Issue.record("expected a response", sourceLocation: sourceLocation)
        return nil
    }
    return response
}

/// Parses `bytes` expecting failure; returns the error (nil and an issue when parsing succeeded).
func parseError(
    _ bytes: [UInt8], framing: SIPMessageParser.Framing = .datagram, limits: SIPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> SIPParseError? {
    do {
        let message = try SIPMessageParser(limits: limits).parse(bytes, framing: framing)
        Issue.record("expected a parse error, got \(message)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Checks a parse error's code, reason (substring) and whether it can be answered.
func expectError(
    _ bytes: [UInt8], _ code: SIPParseError.Code, reason: String, answerable: Bool,
    framing: SIPMessageParser.Framing = .datagram, limits: SIPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = parseError(bytes, framing: framing, limits: limits, sourceLocation: sourceLocation) else {
        return
    }
    #expect(error.code == code, "reason: \(error.reason)", sourceLocation: sourceLocation)
    #expect(error.reason.contains(reason), "reason was: \(error.reason)", sourceLocation: sourceLocation)
    #expect(error.isAnswerable == answerable, "reason: \(error.reason)", sourceLocation: sourceLocation)
}

/// The wire lines of a serialized message (split at CRLF, up to the empty line).
func headLines(_ bytes: [UInt8]) -> [String] {
    let text = String(decoding: bytes, as: UTF8.self)
    var lines: [String] = []
    var rest = text[...]
    while let range = rest.firstRange(of: "\r\n") {
        let line = String(rest[rest.startIndex..<range.lowerBound])
        if line.isEmpty { break }
        lines.append(line)
        rest = rest[range.upperBound...]
    }
    return lines
}

/// A REGISTER that parses, used as a base that tests modify line by line.
let baseRegisterLines: [String] = [
    "REGISTER sip:example.net SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1;rport",
    "Max-Forwards: 70",
    "From: <sip:69@example.net>;tag=a73kszlfl",
    "To: <sip:69@example.net>",
    "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10",
    "CSeq: 1 REGISTER",
    "Contact: <sip:69@192.0.2.10:5060>",
    "Content-Length: 0",
]

/// Joins lines with CRLF and ends the header section; appends `body`.
func message(_ lines: [String], body: String = "") -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
}

/// `baseRegisterLines` with the line starting with `prefix` replaced (or removed when `with` is nil).
func registerReplacing(_ prefix: String, with replacement: String?) -> [String] {
    var lines = baseRegisterLines
    guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else {
        Issue.record("no line starting with \(prefix)")
        return lines
    }
    if let replacement { lines[index] = replacement } else { lines.remove(at: index) }
    return lines
}

/// Structural equality of URIs (component by component, as written), as opposed to `==`, which is
/// RFC 3261 §19.1.4 equivalence.
func structurallyEqual(_ a: SIPURI, _ b: SIPURI) -> Bool {
    a.scheme == b.scheme && a.user == b.user && a.password == b.password && a.host == b.host && a.port == b.port
        && a.parameters.elements == b.parameters.elements && a.headers == b.headers
}
