import SIPCore
import Testing

/// Serializer (RFC 3261 §7): round trips, unknown headers forwarded untouched, local edits that
/// leave the other lines byte-identical.
@Suite struct SerializerTests {
    static let invite = """
        INVITE sip:bob@biloxi.example.com;transport=tcp SIP/2.0
        Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74b43
        Via:SIP/2.0/UDP   10.0.0.1;branch=z9hG4bKold ;received=192.0.2.7
        Max-Forwards: 70
        Route: <sip:ss1.example.com;lr>
        From: "Alice"   <sip:alice@atlanta.example.com>;tag=9fxced76sl
        To: Bob <sip:bob@biloxi.example.com>
        X-Vendor-Thing  :   keep   these    spaces
        Call-ID: 3848276298220188511@atlanta.example.com
        cseq: 1 INVITE
        P-Asserted-Identity: <sip:alice@atlanta.example.com>
        Contact: <sip:alice@client.atlanta.example.com;transport=tcp>
        X-Folded: first part,
         second part
        Content-Type: application/sdp
        l: 31

        v=0
        o=- 1 1 IN IP4 192.0.2.7

        """

    @Test func parseSerializeParseIsEqual() throws {
        let original = try #require(parseOK(wire(Self.invite)))
        let bytes = original.serialized()
        let again = try #require(parseOK(bytes))
        #expect(again == original)
        #expect(again.serialized() == bytes)
        // Parsed from the wire, every header line is written back byte for byte.
        #expect(bytes == wire(Self.invite))
    }

    @Test func unknownHeadersPassThroughInOrder() throws {
        let request = try #require(parseOK(wire(Self.invite))?.request)
        let lines = headLines(request.serialized())
        #expect(lines.contains("X-Vendor-Thing  :   keep   these    spaces"))
        let vendor = try #require(lines.firstIndex(of: "X-Vendor-Thing  :   keep   these    spaces"))
        let asserted = try #require(lines.firstIndex(of: "P-Asserted-Identity: <sip:alice@atlanta.example.com>"))
        let folded = try #require(lines.firstIndex(of: "X-Folded: first part,"))
        #expect(vendor < asserted && asserted < folded)
        #expect(lines[folded + 1] == " second part")
        #expect(request.headers["x-vendor-thing"] == "keep   these    spaces")
        #expect(request.headers["X-Folded"] == "first part, second part")
    }

    @Test func replacingTheTopViaLeavesOtherLinesIdentical() throws {
        var request = try #require(parseOK(wire(Self.invite))?.request)
        let before = headLines(request.serialized())
        var via = try request.topVia
        via.parameters.set("received", "198.51.100.1")
        via.parameters.set("rport", "40001")
        let index = try #require(request.headers.firstIndex(of: .via))
        request.headers.replace(at: index, with: SIPHeaderField(.via, via.description))
        let after = headLines(request.serialized())
        #expect(after.count == before.count)
        #expect(
            after[1]
                == "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74b43;received=198.51.100.1;rport=40001"
        )
        for i in after.indices where i != 1 { #expect(after[i] == before[i]) }
        #expect(request.body == Array("v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\n".utf8))
    }

    @Test func prependingViaAndRecordRoute() throws {
        var request = try #require(parseOK(wire(Self.invite))?.request)
        let before = headLines(request.serialized())
        request.headers.prepend(SIPHeaderField(.recordRoute, "<sip:proxy.example.net;lr>"))
        request.headers.prepend(SIPHeaderField(.via, "SIP/2.0/UDP proxy.example.net;branch=z9hG4bKprx"))
        let after = headLines(request.serialized())
        #expect(after.count == before.count + 2)
        #expect(after[0] == before[0])
        #expect(after[1] == "Via: SIP/2.0/UDP proxy.example.net;branch=z9hG4bKprx")
        // No Record-Route yet: it is appended at the end of the header section.
        #expect(after.last == "Record-Route: <sip:proxy.example.net;lr>")
        #expect(Array(after[2..<after.count - 1]) == Array(before[1...]))
        #expect(try request.vias().map(\.host) == ["proxy.example.net", "client.atlanta.example.com", "10.0.0.1"])

        // With an existing Record-Route the new one goes right before it.
        request.headers.prepend(SIPHeaderField(.recordRoute, "<sip:outer.example.net;lr>"))
        let third = headLines(request.serialized())
        #expect(third[third.count - 2] == "Record-Route: <sip:outer.example.net;lr>")
        #expect(try request.recordRoutes().map(\.uri.host) == ["outer.example.net", "proxy.example.net"])
        let reparsed = try #require(parseOK(request.serialized())?.request)
        #expect(reparsed == request)
    }

    @Test func removingAndDecrementingMaxForwards() throws {
        var request = try #require(parseOK(wire(Self.invite))?.request)
        let before = headLines(request.serialized())
        let hops = try #require(try request.maxForwards)
        request.headers.set(.maxForwards, String(hops - 1))
        request.headers.removeAll(.route)
        let after = headLines(request.serialized())
        #expect(after.count == before.count - 1)
        #expect(after[3] == "Max-Forwards: 69")
        #expect(Array(after[4...]) == Array(before[5...]))
    }

    @Test func builtMessages() throws {
        var headers = SIPHeaders()
        headers.append(.via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnew")
        headers.append(.from, "<sip:a@example.net>;tag=1")
        headers.append(.to, "<sip:b@example.net>")
        headers.append(.callID, "built")
        headers.append(.cseq, "2 OPTIONS")
        headers.append(SIPHeaderField(name: "x-lower", value: "v"))
        var request = SIPRequest(method: .options, uri: try SIPURI(parsing: "sip:b@example.net"), headers: headers)
        request.setBody(Array("hi".utf8), contentType: "text/plain")
        let text = String(decoding: request.serialized(), as: UTF8.self)
        #expect(
            text == """
                OPTIONS sip:b@example.net SIP/2.0\r
                Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKnew\r
                From: <sip:a@example.net>;tag=1\r
                To: <sip:b@example.net>\r
                Call-ID: built\r
                CSeq: 2 OPTIONS\r
                x-lower: v\r
                Content-Type: text/plain\r
                Content-Length: 2\r
                \r
                hi
                """)
        #expect(request.description == text)
        let parsed = try #require(parseOK(request.serialized(), framing: .stream))
        #expect(parsed == .request(request))
        #expect(parsed.description == text)

        let response = SIPResponse(statusCode: 486, headers: headers)
        #expect(response.reasonPhrase == "Busy Here")
        #expect(String(decoding: response.serialized(), as: UTF8.self).hasPrefix("SIP/2.0 486 Busy Here\r\nVia: "))
        #expect(SIPResponse(statusCode: 299).reasonPhrase == "Unknown")
        #expect(SIPResponse(statusCode: 200, reasonPhrase: "Fine").reasonPhrase == "Fine")
    }

    @Test func requestEqualityIsStructural() throws {
        let a = try #require(parseOK(wire(Self.invite))?.request)
        var b = a
        b.uri = try SIPURI(parsing: "sip:bob@BILOXI.example.com;transport=tcp")
        #expect(a.uri == b.uri)  // RFC-equivalent URIs…
        #expect(a != b)  // …but not the same message.
        var c = a
        c.body = []
        #expect(a != c)
        var d = a
        d.headers.append(SIPHeaderField(name: "X-Extra", value: "1"))
        #expect(a != d)
    }
}

/// `SIPResponse(answering:)` (RFC 3261 §8.2.6.2).
@Suite struct ResponseBuildingTests {
    @Test func copiesViaFromToCallIDCSeqAndAddsToTag() throws {
        let request = try #require(
            parseRequest(
                """
                REGISTER sip:example.net SIP/2.0
                Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKa;rport
                v: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKb
                Max-Forwards: 70
                f: <sip:69@example.net>;tag=ft
                To: "Sixty Nine" <sip:69@example.net>
                Call-ID: answer-me
                CSeq: 12 REGISTER
                Contact: <sip:69@192.0.2.10>
                User-Agent: test
                Content-Length: 0


                """))
        let response = SIPResponse(answering: request, statusCode: 200, toTag: "tt1")
        #expect(response.statusCode == 200)
        #expect(response.reasonPhrase == "OK")
        #expect(response.headers.map(\.name) == [.via, .via, .from, .to, .callID, .cseq, .contentLength])
        #expect(
            response.headers.all(.via).map(\.value) == [
                "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKa;rport", "SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKb",
            ])
        #expect(response.headers.first(.from)?.rawName == "f")
        #expect(try response.from.tag == "ft")
        #expect(try response.to.tag == "tt1")
        #expect(try response.to.displayName == "Sixty Nine")
        #expect(response.headers[.to] == "\"Sixty Nine\" <sip:69@example.net>;tag=tt1")
        #expect(response.callID == "answer-me")
        #expect(try response.cseq == SIPCSeq(sequence: 12, method: .register))
        #expect(response.headers[.contentLength] == "0")
        #expect(response.body.isEmpty)
        let parsed = try #require(parseOK(response.serialized(), framing: .stream)?.response)
        #expect(parsed == response)
    }

    @Test func existingToTagIsKept() throws {
        let request = try #require(register(replacing: ["To: <sip:69@example.net>;tag=already"]))
        let response = SIPResponse(answering: request, statusCode: 481, toTag: "new")
        #expect(try response.to.tag == "already")
        #expect(response.reasonPhrase == "Call/Transaction Does Not Exist")
    }

    @Test func trying100GetsNoToTag() throws {
        let request = try #require(register())
        let trying = SIPResponse(answering: request, statusCode: 100, toTag: "x")
        #expect(try trying.to.tag == nil)
        let noTag = SIPResponse(answering: request, statusCode: 200)
        #expect(try noTag.to.tag == nil)
        let custom = SIPResponse(answering: request, statusCode: 423, reasonPhrase: "Too Brief", toTag: "y")
        #expect(custom.reasonPhrase == "Too Brief")
        #expect(try custom.to.tag == "y")
    }

    @Test func replyHeadersOfRequest() throws {
        let request = try #require(register(["Subject: not copied"]))
        let reply = SIPReplyHeaders(request: request)
        #expect(reply.method == .register)
        #expect(reply.fields.map(\.name) == [.via, .from, .to, .callID, .cseq])
    }

    @Test("For a stream, a message without Content-Length is written with one, the body's size (RFC 3261 §18.3, §20.14); as found otherwise; one that has it keeps it")
    func contentLengthAddedWhenMissing() throws {
        var request = SIPRequest(method: .message, uri: try SIPURI(parsing: "sip:69@example.net"))
        request.headers.append(.callID, "cl-1")
        request.body = Array("hello".utf8)
        let wire = String(decoding: request.serialized(forStream: true), as: UTF8.self)
        #expect(wire.hasSuffix("Call-ID: cl-1\r\nContent-Length: 5\r\n\r\nhello"))
        #expect(String(decoding: request.serialized(), as: UTF8.self).hasSuffix("Call-ID: cl-1\r\n\r\nhello"), "a datagram as found")
        request.headers.append(.contentLength, "5")
        let kept = String(decoding: request.serialized(forStream: true), as: UTF8.self)
        #expect(kept.split(separator: "\r\n").filter { $0.hasPrefix("Content-Length") } == ["Content-Length: 5"])
        var response = SIPResponse(statusCode: 200)
        response.headers.append(.callID, "cl-2")
        #expect(String(decoding: response.serialized(forStream: true), as: UTF8.self).hasSuffix("Call-ID: cl-2\r\nContent-Length: 0\r\n\r\n"))
    }
}
