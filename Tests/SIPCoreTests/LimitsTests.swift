import SIPCore
import Testing

/// Every limit of `SIPParserLimits`: the default is documented, the limit is enforced at the
/// boundary (the largest allowed input passes, one more fails with `limitExceeded`).
@Suite struct LimitsTests {
    @Test func documentedDefaults() {
        let limits = SIPParserLimits.default
        #expect(limits.maxMessageSize == 65_536)
        #expect(limits.maxHeaderCount == 256)
        #expect(limits.maxHeaderLineLength == 8_192)
        #expect(limits.maxURILength == 2_048)
        #expect(limits.maxNesting == 32)
        #expect(limits.maxParameters == 64)
        #expect(SIPParserLimits() == limits)
        #expect(SIPMessageParser().limits == limits)
    }

    @Test func maxMessageSize() throws {
        let base = message(baseRegisterLines)
        var limits = SIPParserLimits()
        limits.maxMessageSize = base.count
        #expect(parseOK(base, limits: limits) != nil)
        limits.maxMessageSize = base.count - 1
        // The header section ends inside the limit only if the limit is generous enough; here the
        // empty line lies beyond it, so nothing can be answered.
        expectError(
            base, .messageTooLarge, reason: "message larger than \(base.count - 1) bytes", answerable: false,
            limits: limits)

        // Header section inside the limit, body beyond it: answerable.
        let body = String(repeating: "b", count: 100)
        let withBody = message(registerReplacing("Content-Length", with: "Content-Length: 100"), body: body)
        limits.maxMessageSize = withBody.count - 50
        expectError(
            withBody, .messageTooLarge, reason: "message of \(withBody.count) bytes exceeds \(withBody.count - 50)",
            answerable: true, limits: limits)
    }

    @Test func defaultMessageSizeIs64KiB() throws {
        let header = message(registerReplacing("Content-Length", with: "Content-Length: 65000"), body: "")
        let fits = header + [UInt8](repeating: 0x61, count: 65_536 - header.count)
        let fitting = try #require(parseOK(fits + [], limits: .default)?.request)
        #expect(fitting.body.count == 65000)
        let over = fits + [0x61]
        expectError(over, .messageTooLarge, reason: "exceeds 65536", answerable: true)
        #expect(throws: SIPParseError.self) { try SIPMessageParser().parse(over) }
        do { _ = try SIPMessageParser().parse(over) } catch {
            #expect(error.statusCode == 513, "RFC 3261 §21.5.14 Message Too Large")
        }
    }

    @Test func maxHeaderCount() throws {
        var limits = SIPParserLimits()
        limits.maxHeaderCount = baseRegisterLines.count - 1  // every header line of the base message
        #expect(parseOK(message(baseRegisterLines), limits: limits) != nil)
        limits.maxHeaderCount -= 1
        expectError(
            message(baseRegisterLines), .limitExceeded, reason: "more than \(limits.maxHeaderCount) header fields",
            answerable: false, limits: limits)

        // The default: 256 header fields.
        let filler = (0..<(256 - (baseRegisterLines.count - 1))).map { "X-H\($0): \($0)" }
        var lines = baseRegisterLines
        lines.insert(contentsOf: filler, at: 1)
        #expect(parseOK(message(lines))?.headers.count == 256)
        lines.insert("X-One-Too-Many: 1", at: 1)
        expectError(message(lines), .limitExceeded, reason: "more than 256 header fields", answerable: false)
    }

    @Test func maxHeaderLineLength() throws {
        var limits = SIPParserLimits()
        limits.maxHeaderLineLength = 100
        let exact = "Subject: " + String(repeating: "s", count: 100 - 9)
        var lines = baseRegisterLines
        lines.insert(exact, at: 2)
        #expect(parseOK(message(lines), limits: limits)?.headers[.subject]?.count == 91)
        lines[2] = exact + "s"
        expectError(
            message(lines), .limitExceeded, reason: "header line 3 longer than 100 bytes", answerable: true,
            limits: limits)

        // Folded lines count as one line.
        lines[2] = "Subject: " + String(repeating: "s", count: 60) + "\r\n " + String(repeating: "t", count: 40)
        expectError(
            message(lines), .limitExceeded, reason: "header line 3 longer than 100 bytes", answerable: true,
            limits: limits)

        // The start line too.
        var start = baseRegisterLines
        start[0] = "REGISTER sip:" + String(repeating: "e", count: 80) + ".net SIP/2.0"
        expectError(
            message(start), .limitExceeded, reason: "start line longer than 100 bytes", answerable: false,
            limits: limits)

        // The default: 8 KiB.
        var big = baseRegisterLines
        big.insert("X-Big: " + String(repeating: "x", count: 8_192 - 7), at: 2)
        #expect(parseOK(message(big)) != nil)
        big[2] += "x"
        expectError(message(big), .limitExceeded, reason: "longer than 8192 bytes", answerable: true)
    }

    @Test func maxURILength() throws {
        /// A SIP URI of exactly `length` bytes.
        func uri(_ length: Int) -> String { "sip:" + String(repeating: "u", count: length - 16) + "@example.net" }
        var limits = SIPParserLimits()
        limits.maxURILength = 40
        #expect(uri(40).utf8.count == 40)
        #expect(try SIPURI(parsing: uri(40), limits: limits).host == "example.net")
        let error = try #require(throws: SIPParseError.self) { try SIPURI(parsing: uri(41), limits: limits) }
        #expect(error.code == .limitExceeded)
        #expect(error.reason == "URI longer than 40 bytes")

        // As Request-URI: answerable; inside a header: reported by the accessor.
        let lines = registerReplacing("REGISTER", with: "REGISTER \(uri(41)) SIP/2.0")
        expectError(
            message(lines), .limitExceeded, reason: "invalid Request-URI: URI longer than 40 bytes", answerable: true,
            limits: limits)
        let fits = registerReplacing("REGISTER", with: "REGISTER \(uri(40)) SIP/2.0")
        #expect(parseOK(message(fits), limits: limits)?.request?.uri.host == "example.net")
        let contact = try SIPNameAddress(parsing: Substring("<\(uri(40))>"), limits: limits)
        #expect(contact.uri.host == "example.net")
        #expect(throws: SIPParseError.self) { try SIPNameAddress(parsing: Substring("<\(uri(41))>"), limits: limits) }

        // The default: 2 KiB.
        #expect(try SIPURI(parsing: uri(2_048)).user?.count == 2_032)
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: uri(2_049)) }
    }

    @Test func maxParameters() throws {
        var limits = SIPParserLimits()
        limits.maxParameters = 5
        let five = (1...5).map { ";p\($0)=\($0)" }.joined()
        #expect(try SIPURI(parsing: "sip:a@b" + five, limits: limits).parameters.count == 5)
        let uriError = try #require(throws: SIPParseError.self) {
            try SIPURI(parsing: "sip:a@b" + five + ";p6", limits: limits)
        }
        #expect(uriError.code == .limitExceeded)
        let headers = (1...5).map { "h\($0)=\($0)" }.joined(separator: "&")
        #expect(try SIPURI(parsing: "sip:a@b?" + headers, limits: limits).headers.count == 5)
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:a@b?" + headers + "&h6=6", limits: limits) }

        // Header parameters (Via, Contact, Event …).
        #expect(try SIPVia(parsing: Substring("SIP/2.0/UDP h" + five), limits: limits).parameters.count == 5)
        let viaError = try #require(throws: SIPParseError.self) {
            try SIPVia(parsing: Substring("SIP/2.0/UDP h" + five + ";p6"), limits: limits)
        }
        #expect(viaError.code == .limitExceeded)
        #expect(throws: SIPParseError.self) {
            try SIPNameAddress(parsing: Substring("<sip:a@b>" + five + ";p6"), limits: limits)
        }
        #expect(throws: SIPParseError.self) {
            try SIPEventHeader(parsing: Substring("dialog" + five + ";p6"), limits: limits)
        }

        // Digest parameters.
        let auth = "Digest " + (1...5).map { "p\($0)=\($0)" }.joined(separator: ", ")
        #expect(try SIPAuthHeader(parsing: Substring(auth), limits: limits).parameters.count == 5)
        let authError = try #require(throws: SIPParseError.self) {
            try SIPAuthHeader(parsing: Substring(auth + ", p6=6"), limits: limits)
        }
        #expect(authError.code == .limitExceeded)

        // The default: 64.
        let many = (1...64).map { ";p\($0)" }.joined()
        #expect(try SIPURI(parsing: "sip:a@b" + many).parameters.count == 64)
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:a@b" + many + ";p65") }
    }

    @Test func maxNesting() throws {
        func nested(_ depth: Int) -> Substring {
            Substring(
                "Phone " + String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth) + ", other"
            )
        }
        var limits = SIPParserLimits()
        limits.maxNesting = 4
        var headers = SIPHeaders()
        headers.append(.userAgent, String(nested(4)))
        #expect(try headers.values(.userAgent, limits: limits).count == 2)
        var deeper = SIPHeaders()
        deeper.append(.userAgent, String(nested(5)))
        let error = try #require(throws: SIPParseError.self) { try deeper.values(.userAgent, limits: limits) }
        #expect(error.code == .limitExceeded)

        // The default: 32.
        var deep32 = SIPHeaders()
        deep32.append(.userAgent, String(nested(32)))
        #expect(try deep32.values(.userAgent).count == 2)
        var deep33 = SIPHeaders()
        deep33.append(.userAgent, String(nested(33)))
        #expect(throws: SIPParseError.self) { try deep33.values(.userAgent) }
    }

    @Test func listLengthIsBounded() throws {
        // Many values over many lines: bounded by the header count.
        var headers = SIPHeaders()
        for i in 0..<300 { headers.append(.route, "<sip:p\(i).example.net;lr>") }
        #expect(throws: SIPParseError.self) { try headers.values(.route) }
        var limits = SIPParserLimits()
        limits.maxHeaderCount = 300
        #expect(try headers.values(.route, limits: limits).count == 300)
    }

    @Test func pathologicalInputsStayBounded() throws {
        // Large inputs of one repeated byte: each is rejected with a typed error, never a crash.
        for byte in [
            UInt8(ascii: "\r"), UInt8(ascii: "("), UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ","), 0, 0xFF,
        ] {
            let bytes = [UInt8](repeating: byte, count: 70_000)
            #expect(throws: SIPParseError.self) { try SIPMessageParser().parse(bytes) }
        }
        var lines = baseRegisterLines
        lines.insert("Contact: " + String(repeating: "<", count: 5_000), at: 2)
        let request = try #require(parseOK(message(lines))?.request)
        #expect(throws: SIPParseError.self) { try request.contacts() }
    }
}
