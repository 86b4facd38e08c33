import SIPCore
import Testing

/// Request-Line and Status-Line (RFC 3261 §7.1, §7.2, §25.1).
@Suite struct StartLineTests {
    @Test func requestLine() throws {
        let request = try #require(parseRequest(String(decoding: message(baseRegisterLines), as: UTF8.self)))
        #expect(request.method == .register)
        #expect(request.method.rawValue == "REGISTER")
        #expect(request.uri.scheme == .sip)
        #expect(request.uri.host == "example.net")
        #expect(request.uri.user == nil)
    }

    @Test func extensionMethodIsCaseSensitiveToken() throws {
        var lines = registerReplacing("REGISTER", with: "x-Odd.Method!~ sip:example.net SIP/2.0")
        lines = lines.map { $0.hasPrefix("CSeq") ? "CSeq: 9 x-Odd.Method!~" : $0 }
        let request = try #require(parseOK(message(lines))?.request)
        #expect(request.method.rawValue == "x-Odd.Method!~")
        #expect(request.method != .register)
        #expect(SIPMethod("invite") != .invite)
    }

    @Test func statusLine() throws {
        let response = try #require(
            parseResponse(
                """
                SIP/2.0 481 Call/Transaction Does Not Exist
                Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1
                From: <sip:a@example.net>;tag=1
                To: <sip:b@example.net>;tag=2
                Call-ID: c1
                CSeq: 5 BYE
                Content-Length: 0


                """))
        #expect(response.statusCode == 481)
        #expect(response.reasonPhrase == "Call/Transaction Does Not Exist")
        #expect(!response.isProvisional && !response.isSuccess && response.isFinal)
    }

    @Test(arguments: [
        ("SIP/2.0 200 ", 200, ""),
        ("SIP/2.0 100", 100, ""),
        ("SIP/2.0 180 Ringing", 180, "Ringing"),
        ("SIP/2.0 699 Custom  spaced  phrase", 699, "Custom  spaced  phrase"),
        ("sip/2.0 202 Accepted", 202, "Accepted"),
    ])
    func statusLineVariants(line: String, code: Int, reason: String) throws {
        let bytes = message([
            line, "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@h>;tag=1", "To: <sip:b@h>",
            "Call-ID: x", "CSeq: 1 OPTIONS", "Content-Length: 0",
        ])
        let response = try #require(parseOK(bytes)?.response)
        #expect(response.statusCode == code)
        #expect(response.reasonPhrase == reason)
    }

    @Test func lowerCaseVersionIsAccepted() throws {
        let lines = registerReplacing("REGISTER", with: "REGISTER sip:example.net sip/2.0")
        #expect(parseOK(message(lines))?.request?.method == .register)
    }

    @Test(arguments: ["SIP/3.0", "SIP/1.0", "SIP/2.1", "SIP/20.0", "SIP/2.00"])
    func otherVersionIs505AndAnswerable(version: String) throws {
        let lines = registerReplacing("REGISTER", with: "REGISTER sip:example.net \(version)")
        let error = try #require(parseError(message(lines)))
        #expect(error.code == .unsupportedVersion)
        #expect(error.statusCode == 505)
        #expect(error.isAnswerable)
        let reply = try #require(error.replyHeaders)
        #expect(reply.method == .register)
        #expect(reply.fields.map(\.name) == [.via, .from, .to, .callID, .cseq])
        let answer = SIPResponse(answering: reply, statusCode: error.statusCode)
        #expect(answer.statusCode == 505)
        #expect(answer.reasonPhrase == "Version Not Supported")
    }

    @Test func responseWithOtherVersionIsNotAnswerable() throws {
        let bytes = message([
            "SIP/3.0 200 OK", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@h>;tag=1", "To: <sip:b@h>",
            "Call-ID: x", "CSeq: 1 OPTIONS", "Content-Length: 0",
        ])
        let error = try #require(parseError(bytes))
        #expect(error.code == .unsupportedVersion)
        #expect(!error.isAnswerable)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK", "malformed"),
        ("SIP/2.0 99 Too small", "malformed status line"),
        ("SIP/2.0 700 Too big", "status code out of range"),
        ("SIP/2.0 099 Zero", "status code out of range"),
        ("SIP/2.0 2000 Four digits", "malformed status line"),
        ("SIP/2.0 20x OK", "malformed status line"),
        ("SIP/2.0", "malformed status line"),
        ("REGISTER", "malformed request line"),
        ("<sip:example.net> SIP/2.0", "malformed request line"),
        ("REGISTER<sip:example.net> SIP/2.0", "malformed request line"),
    ])
    func unreadableStartLines(line: String, reason: String) throws {
        // No method can be read (or it is a status line): nothing to answer.
        let lines = registerReplacing("REGISTER", with: line)
        expectError(message(lines), .malformedStartLine, reason: reason, answerable: false)
    }

    @Test(arguments: [
        ("REGISTER sip:example.net HTTP/1.1", "malformed SIP-Version"),
        ("REGISTER sip:example.net", "missing SIP-Version"),
        ("REGISTER SIP/2.0", "missing Request-URI"),
        ("REGISTER ", "missing Request-URI"),
        ("REGISTER  sip:example.net SIP/2.0", "extra white space in the request line"),
        ("REGISTER sip:example.net  SIP/2.0", "extra white space in the request line"),
        ("REGISTER\tsip:example.net SIP/2.0", "extra white space in the request line"),
        ("REGISTER sip:example.net SIP/2.0 ", "white space at the end of the request line"),
        ("REGISTER sip:example.net SIP/2.0\t", "white space at the end of the request line"),
        (" REGISTER sip:example.net SIP/2.0", "white space before the request line"),
        ("REGISTER sip:example.net; lr SIP/2.0", "white space in the Request-URI"),
        ("REG ISTER sip:example.net SIP/2.0", "malformed request line"),
        ("REGISTER sip:example.net SIP/2.0 junk", "malformed request line"),
        ("REGISTER sip:example.net SIP/2.", "malformed SIP-Version"),
        ("REGISTER sip:example.net SIP/.0", "malformed SIP-Version"),
    ])
    func malformedRequestLinesAreAnswered(line: String, reason: String) throws {
        // The method and a usable Via are there: answered 400 with a reason naming the fault
        // (RFC 3261 §8.2.2 ff.; RFC 4475 §3.1.2.8–3.1.2.10).
        let lines = registerReplacing("REGISTER", with: line)
        expectError(message(lines), .malformedStartLine, reason: reason, answerable: true)
        let error = try #require(parseError(message(lines)))
        #expect(error.statusCode == 400)
        #expect(error.replyHeaders?.fields.map(\.name) == [.via, .from, .to, .callID, .cseq])
    }

    @Test func requestLineFaultComesBeforeOtherFaults() throws {
        var lines = registerReplacing("REGISTER", with: "REGISTER  sip:example.net SIP/3.0")
        lines = lines.filter { !$0.hasPrefix("Call-ID") }
        expectError(message(lines), .malformedStartLine, reason: "extra white space", answerable: true)
    }

    @Test func headersInTheRequestURIAreRefused() throws {
        // RFC 3261 §19.1.1 Table 1: no headers in a Request-URI (RFC 4475 §3.1.2.11).
        let lines = registerReplacing("REGISTER", with: "REGISTER sip:example.net?Route=%3Csip:x%3E SIP/2.0")
        expectError(
            message(lines), .invalidURI, reason: "invalid Request-URI: headers not allowed", answerable: true)
    }

    @Test func requestURISchemeErrors() throws {
        let http = registerReplacing("REGISTER", with: "REGISTER http://example.net/ SIP/2.0")
        let error = try #require(parseError(message(http)))
        #expect(error.code == .unsupportedURIScheme)
        #expect(error.statusCode == 416)
        #expect(error.isAnswerable)

        let bad = registerReplacing("REGISTER", with: "REGISTER sip:[2001:db8::1 SIP/2.0")
        expectError(
            message(bad), .invalidURI, reason: "invalid Request-URI: unterminated IPv6 reference", answerable: true)
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        let bytes = Array("\r\n\r\n".utf8) + message(baseRegisterLines)
        #expect(parseOK(bytes)?.request?.method == .register)
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let bytes = Array((baseRegisterLines.joined(separator: "\n") + "\n\n").utf8)
        let request = try #require(parseOK(bytes)?.request)
        #expect(request.headers.count == baseRegisterLines.count - 1)
        #expect(request.callID == "1j9FpLxk3uxtm8tn@192.0.2.10")
        #expect(try request.cseq.sequence == 1)
    }
}
