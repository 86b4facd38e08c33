import SIPCore
import Testing

/// Message body by Content-Length (RFC 3261 §18.3, §20.14) and typed parse errors with their
/// answerability (RFC 3261 §8.2.6.2, §21.4.1).
@Suite struct BodyTests {
    func messageRequest(contentLength: String?, body: String) -> [UInt8] {
        var lines = [
            "MESSAGE sip:alice@example.net SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm",
            "Max-Forwards: 70", "From: <sip:bob@example.net>;tag=b", "To: <sip:alice@example.net>",
            "Call-ID: msg-1", "CSeq: 1 MESSAGE", "Content-Type: text/plain",
        ]
        if let contentLength { lines.append("Content-Length: \(contentLength)") }
        return message(lines, body: body)
    }

    @Test func bodyOfExactLength() throws {
        let request = try #require(parseOK(messageRequest(contentLength: "12", body: "Hello Alice!"))?.request)
        #expect(request.body == Array("Hello Alice!".utf8))
        #expect(try request.contentLength == 12)
    }

    @Test func datagramBytesBeyondContentLengthAreDiscarded() throws {
        let request = try #require(parseOK(messageRequest(contentLength: "5", body: "Hello Alice!"))?.request)
        #expect(request.body == Array("Hello".utf8))
    }

    @Test func datagramWithoutContentLengthTakesTheRest() throws {
        let request = try #require(parseOK(messageRequest(contentLength: nil, body: "rest of datagram"))?.request)
        #expect(request.body == Array("rest of datagram".utf8))
        #expect(try request.contentLength == nil)
    }

    @Test func streamFramingRequiresContentLength() throws {
        expectError(
            messageRequest(contentLength: nil, body: ""), .missingContentLength,
            reason: "missing Content-Length on a stream transport", answerable: true, framing: .stream)
        let request = try #require(parseOK(messageRequest(contentLength: "3", body: "abc"), framing: .stream)?.request)
        #expect(request.body == Array("abc".utf8))
    }

    @Test func contentLengthLargerThanAvailable() throws {
        let body = String(repeating: "x", count: 120)
        expectError(
            messageRequest(contentLength: "500", body: body), .truncatedBody,
            reason: "Content-Length 500 exceeds 120 available bytes", answerable: true)
    }

    @Test(arguments: ["-1", "+5", "12abc", "", "1 2", "0x10", "99999999999999999999", "2147483648", "4294967301"])
    func invalidContentLength(value: String) throws {
        expectError(
            messageRequest(contentLength: value, body: "abc"), .invalidContentLength, reason: "invalid Content-Length",
            answerable: true)
    }

    @Test func bodyMayHoldAnyBytes() throws {
        var bytes = messageRequest(contentLength: "9", body: "")
        bytes += [0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A, 0xC3, 0x28, 0x00]
        let request = try #require(parseOK(bytes)?.request)
        #expect(request.body == [0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A, 0xC3, 0x28, 0x00])
    }

    @Test func setBodyUpdatesContentLengthAndType() throws {
        var request = try #require(parseOK(messageRequest(contentLength: "0", body: ""))?.request)
        request.setBody(Array("<xml/>".utf8), contentType: "application/xml")
        #expect(request.headers[.contentLength] == "6")
        #expect(request.headers[.contentType] == "application/xml")
        #expect(request.headers.all(.contentType).count == 1)
        let again = try #require(parseOK(request.serialized(), framing: .stream)?.request)
        #expect(again.body == Array("<xml/>".utf8))
        #expect(again == request)
    }
}

@Suite struct ParseErrorTests {
    @Test func missingViaIsDropped() throws {
        // Without a Via an answer cannot be routed (RFC 3261 §18.2.2).
        let lines = registerReplacing("Via:", with: nil)
        expectError(message(lines), .missingHeader, reason: "missing Via", answerable: false)
    }

    @Test(arguments: ["From", "To", "Call-ID", "CSeq"])
    func missingMandatoryHeaderIsAnswered(name: String) throws {
        // RFC 3261 §8.2.2 ff.: with a usable Via the fault is answered 400, naming what is missing.
        let lines = registerReplacing(name + ":", with: nil)
        expectError(message(lines), .missingHeader, reason: "missing \(name)", answerable: true)
        let error = try #require(parseError(message(lines)))
        #expect(error.statusCode == 400)
        let reply = try #require(error.replyHeaders)
        #expect(reply.method == .register)
        let expected: [SIPHeaderName] = [.via, .from, .to, .callID, .cseq].filter { $0 != SIPHeaderName(name) }
        #expect(reply.fields.map(\.name) == expected)
        let answer = SIPResponse(answering: reply, statusCode: error.statusCode, reasonPhrase: error.reason, toTag: "t")
        #expect(headLines(answer.serialized()).first == "SIP/2.0 400 missing \(name)")
        #expect(try answer.topVia.branch == "z9hG4bKreg1")
    }

    @Test func missingCallIDReason() throws {
        let error = try #require(parseError(message(registerReplacing("Call-ID", with: nil))))
        #expect(error.reason == "missing Call-ID")
        #expect(error.description == "missing Call-ID")
        #expect(error.statusCode == 400)
    }

    @Test func cseqMethodMismatchIsAnswerable() throws {
        let lines = registerReplacing("CSeq", with: "CSeq: 1 INVITE")
        let error = try #require(parseError(message(lines)))
        #expect(error.code == .cseqMethodMismatch)
        #expect(error.reason == "CSeq method INVITE does not match request method REGISTER")
        let reply = try #require(error.replyHeaders)
        #expect(reply.method == .register)
        let response = SIPResponse(answering: reply, statusCode: 400, reasonPhrase: error.reason, toTag: "err1")
        #expect(response.reasonPhrase == "CSeq method INVITE does not match request method REGISTER")
        #expect(response.headers[.callID] == "1j9FpLxk3uxtm8tn@192.0.2.10")
        #expect(response.headers[.cseq] == "1 INVITE")
        #expect(try response.to.tag == "err1")
        #expect(try response.topVia.branch == "z9hG4bKreg1")
        let wire = String(decoding: response.serialized(), as: UTF8.self)
        #expect(wire.hasPrefix("SIP/2.0 400 CSeq method INVITE does not match request method REGISTER\r\n"))
    }

    @Test(arguments: [
        ("CSeq: INVITE", "invalid CSeq"), ("CSeq: -1 REGISTER", "invalid CSeq number"),
        ("CSeq: 2147483648 REGISTER", "invalid CSeq number"), ("CSeq: 1x REGISTER", "invalid CSeq number"),
        ("CSeq: 1 REG ISTER", "invalid CSeq method"), ("CSeq: 1 REGISTER;x", "invalid CSeq method"),
        ("CSeq: 1", "invalid CSeq"),
    ])
    func badCSeqIsAnsweredWithoutCSeq(line: String, reason: String) throws {
        // The Via routes the 400; the unusable CSeq is not copied into it.
        let bytes = message(registerReplacing("CSeq", with: line))
        expectError(bytes, .invalidHeaderValue, reason: reason, answerable: true)
        let reply = try #require(parseError(bytes)?.replyHeaders)
        #expect(reply.fields.map(\.name) == [.via, .from, .to, .callID])
    }

    @Test func badCSeqOfAnACKIsNeverAnswered() throws {
        // A request line that cannot be read but a CSeq that says ACK: the reply method says ACK,
        // which a transport never answers (RFC 3261 §17.2.1).
        var lines = registerReplacing("REGISTER", with: "ACK  sip:example.net SIP/2.0")
        lines = lines.map { $0.hasPrefix("CSeq") ? "CSeq: 1 ACK" : $0 }
        let error = try #require(parseError(message(lines)))
        #expect(error.replyHeaders?.method == .ack)
        lines = registerReplacing("REGISTER", with: "BYE  sip:example.net SIP/2.0")
        lines = lines.map { $0.hasPrefix("CSeq") ? "CSeq: 1 ACK" : $0 }
        #expect(parseError(message(lines))?.replyHeaders?.method == .ack)
    }

    @Test func largestCSeqIsAccepted() throws {
        let request = try #require(
            parseOK(message(registerReplacing("CSeq", with: "CSeq: 2147483647 REGISTER")))?.request)
        #expect(try request.cseq.sequence == 2_147_483_647)
    }

    @Test(arguments: [
        "From: <sip:x@example.net>;tag=2", "To: <sip:y@example.net>", "Call-ID: other", "CSeq: 2 REGISTER",
    ])
    func duplicateSingleValueHeaderIsAnsweredWithTheFirst(line: String) throws {
        var lines = baseRegisterLines
        lines.insert(line, at: 7)
        let name = String(line[..<line.firstIndex(of: ":")!])
        expectError(message(lines), .invalidHeaderValue, reason: "more than one \(name) header", answerable: true)
        let reply = try #require(parseError(message(lines))?.replyHeaders)
        let copied = reply.fields.filter { $0.name == SIPHeaderName(name) }
        #expect(copied.count == 1)
        #expect(
            copied.first.map { "\($0.rawName): \($0.value)" } == baseRegisterLines.first { $0.hasPrefix(name + ":") })
    }

    @Test(arguments: ["Max-Forwards: 69", "Content-Length: 0", "Content-Type: text/plain"])
    func duplicateOtherSingleValueHeaderIsAnswerable(line: String) throws {
        var lines = baseRegisterLines
        lines.insert(line, at: 2)
        if !baseRegisterLines.contains(where: { $0.hasPrefix(line.prefix(while: { $0 != ":" })) }) {
            lines.insert(line, at: 2)
        }
        let name = String(line[..<line.firstIndex(of: ":")!])
        expectError(message(lines), .invalidHeaderValue, reason: "more than one \(name) header", answerable: true)
    }

    @Test(arguments: ["Max-Forwards: 256", "Max-Forwards: -1", "Max-Forwards: ten", "Max-Forwards:"])
    func invalidMaxForwards(line: String) throws {
        expectError(
            message(registerReplacing("Max-Forwards", with: line)), .invalidHeaderValue, reason: "invalid Max-Forwards",
            answerable: true)
    }

    @Test func emptyCallID() throws {
        let bytes = message(registerReplacing("Call-ID", with: "Call-ID:   "))
        expectError(bytes, .invalidHeaderValue, reason: "empty Call-ID", answerable: true)
        #expect(parseError(bytes)?.replyHeaders?.fields.map(\.name) == [.via, .from, .to, .cseq])
    }

    @Test func nulByteInHeaders() throws {
        var bytes = message(baseRegisterLines)
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "k")))  // in "a73kszlfl"
        bytes[index] = 0
        expectError(bytes, .invalidEncoding, reason: "NUL byte in header section", answerable: true)
    }

    @Test func escapedNulInAQuotedStringIsLegal() throws {
        // RFC 3261 §25.1 quoted-pair; RFC 4475 §3.1.1.2 (intmeth) has one in its To.
        let lines = registerReplacing(
            "From", with: "From: \"A\\\u{0}B\" <sip:69@example.net>;tag=a73kszlfl;p=\"\\\u{0}\"")
        let request = try #require(parseOK(message(lines))?.request)
        #expect(try request.from.displayName == "A\u{0}B")
        #expect(try request.from.parameters.value("p") == "\u{0}")
    }

    @Test(arguments: [
        "From: \"A\u{0}B\" <sip:69@example.net>;tag=1",  // not escaped
        "From: A\\\u{0}B <sip:69@example.net>;tag=1",  // escaped, but outside quotes
        "X-Note: \"open quote\u{0}",  // an unterminated quote ends with its line
    ])
    func otherNulBytesAreRefused(line: String) throws {
        var lines = baseRegisterLines
        if line.hasPrefix("From") { lines = registerReplacing("From", with: line) } else { lines.insert(line, at: 2) }
        expectError(message(lines), .invalidEncoding, reason: "NUL byte in header section", answerable: true)
    }

    @Test func nulAfterAnUnbalancedQuoteOnAnEarlierLineIsRefused() throws {
        var lines = baseRegisterLines
        lines.insert("X-Odd: \"unbalanced", at: 2)
        lines.insert("X-Next: \\\u{0}", at: 3)
        expectError(message(lines), .invalidEncoding, reason: "NUL byte in header section", answerable: true)
    }

    @Test func topViaWithAnotherVersionIsAnswered505() throws {
        let lines = registerReplacing("Via", with: "Via: SIP/3.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1")
        let error = try #require(parseError(message(lines)))
        #expect(error.code == .unsupportedVersion)
        #expect(error.statusCode == 505)
        let reply = try #require(error.replyHeaders)
        #expect(reply.fields.first?.value == "SIP/3.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1")
        // A second Via naming another version, or a broken top Via, is not the parser's concern.
        var second = baseRegisterLines
        second.insert("Via: SIP/3.0/UDP 192.0.2.1", at: 2)
        #expect(parseOK(message(second)) != nil)
    }

    @Test func unusableFromIsLeftOutOfTheReply() throws {
        var lines = registerReplacing("From", with: "From: \"open <sip:69@example.net>;tag=1")
        lines = lines.filter { !$0.hasPrefix("CSeq") }
        let error = try #require(parseError(message(lines)))
        #expect(error.reason == "missing CSeq")
        #expect(error.replyHeaders?.fields.map(\.name) == [.via, .to, .callID])
    }

    @Test func allViaLinesAreCopied() throws {
        var lines = registerReplacing("Call-ID", with: nil)
        lines.insert("Via: SIP/2.0/TCP proxy.example.net;branch=z9hG4bKp, SIP/2.0/UDP edge.example.net", at: 2)
        let reply = try #require(parseError(message(lines))?.replyHeaders)
        #expect(reply.fields.filter { $0.name == .via }.count == 2)
    }

    @Test func invalidUTF8InHeaders() throws {
        var lines = baseRegisterLines
        lines.insert("Subject: caf\u{E9}", at: 2)
        var bytes = message(lines)
        // Replace the two-byte UTF-8 "é" (C3 A9) by a lone Latin-1 byte E9 followed by a space.
        let index = try #require(bytes.firstIndex(of: 0xC3))
        bytes[index] = 0xE9
        bytes[index + 1] = 0x20
        expectError(bytes, .invalidEncoding, reason: "header section is not valid UTF-8", answerable: true)
    }

    @Test func validUTF8IsAccepted() throws {
        var lines = baseRegisterLines
        lines.insert("Subject: caf\u{E9} \u{1F4DE}", at: 2)
        lines[4] = "From: \"J\u{F6}rg\" <sip:69@example.net>;tag=a73kszlfl"
        let request = try #require(parseOK(message(lines))?.request)
        #expect(request.headers[.subject] == "caf\u{E9} \u{1F4DE}")
        #expect(try request.from.displayName == "J\u{F6}rg")
    }

    @Test func noEmptyLineAfterHeaders() throws {
        let bytes = Array((baseRegisterLines.joined(separator: "\r\n") + "\r\n").utf8)
        expectError(bytes, .malformedHeader, reason: "no empty line after the header section", answerable: true)
    }

    @Test(arguments: [[UInt8](), Array("\r\n\r\n".utf8), Array("\n".utf8)])
    func emptyInput(bytes: [UInt8]) throws {
        expectError(bytes, .emptyMessage, reason: "empty message", answerable: false)
    }

    @Test func garbageIsDropped() throws {
        let garbage: [UInt8] = [
            0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 0x0D, 0x0A, 0x0D, 0x0A,
        ]
        expectError(garbage, .malformedStartLine, reason: "malformed request line", answerable: false)
    }

    @Test func unusableTopViaMakesAnErrorUnanswerable() throws {
        var lines = registerReplacing("Via", with: "Via: garbage")
        lines = lines.map { $0.hasPrefix("CSeq") ? "CSeq: 1 INVITE" : $0 }
        let error = try #require(parseError(message(lines)))
        #expect(error.code == .cseqMethodMismatch)
        #expect(!error.isAnswerable)
    }

    @Test func responsesAreNeverAnswerable() throws {
        let bytes = message([
            "SIP/2.0 200 OK", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@h>;tag=1", "To: <sip:b@h>",
            "Call-ID: x", "CSeq: 1 OPTIONS", "Content-Length: 50",
        ])
        expectError(bytes, .truncatedBody, reason: "Content-Length 50 exceeds 0 available bytes", answerable: false)
    }

    @Test func reasonIsSafeForAReasonPhrase() throws {
        let error = SIPParseError(.invalidHeaderValue, "bad \r\n value \u{E9}" + String(repeating: "x", count: 300))
        #expect(!error.reason.contains("\r") && !error.reason.contains("\n"))
        #expect(error.reason.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        #expect(error.reason.utf8.count <= 123)
        #expect(error.reason.hasPrefix("bad ?? value ?x"))
    }
}
