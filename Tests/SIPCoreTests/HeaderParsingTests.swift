import SIPCore
import Testing

/// Header fields: order, case, compact forms, lists, folding (RFC 3261 §7.3).
@Suite struct HeaderParsingTests {
    @Test func headersKeepOrderAndOriginalCase() throws {
        let request = try #require(
            parseRequest(
                """
                OPTIONS sip:example.net SIP/2.0
                via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa
                X-First: 1
                FROM: <sip:a@example.net>;tag=t
                x-second: two
                To: <sip:b@example.net>
                cALL-iD: abc
                X-First: 3
                Cseq: 7 OPTIONS
                content-LENGTH: 0


                """))
        let names = request.headers.map { String($0.rawName) }
        #expect(names == ["via", "X-First", "FROM", "x-second", "To", "cALL-iD", "X-First", "Cseq", "content-LENGTH"])
        #expect(
            request.headers.map(\.name) == [
                .via, "x-first", .from, "X-Second", .to, .callID, "X-FIRST", .cseq, .contentLength,
            ])
        #expect(request.headers[.callID] == "abc")
        #expect(request.headers["call-id"] == "abc")
        #expect(request.headers["CALL-ID"] == "abc")
        #expect(request.headers["X-FIRST"] == "1")
        #expect(request.headers.all("x-first").map(\.value) == ["1", "3"])
        #expect(request.headers.contains("X-Second"))
        #expect(!request.headers.contains("X-Third"))
        #expect(request.headers.firstIndex(of: .cseq) == 7)
        #expect(request.headers.first(.from)?.rawName == "FROM")
        #expect(SIPHeaderName("cAlL-Id").canonical == "Call-ID")
        #expect(SIPHeaderName("X-Custom-Thing").canonical == "X-Custom-Thing")
    }

    /// Every compact form of RFC 3261 §7.3.3 and later RFCs, in lower and upper case.
    @Test(arguments: [
        ("i", SIPHeaderName.callID), ("m", .contact), ("f", .from), ("t", .to), ("v", .via), ("l", .contentLength),
        ("k", .supported), ("s", .subject), ("c", .contentType), ("e", .contentEncoding), ("o", .event),
        ("u", .allowEvents), ("r", .referTo), ("b", .referredBy), ("x", .sessionExpires), ("y", .identity),
        ("a", .acceptContact),
    ])
    func compactForm(letter: String, name: SIPHeaderName) throws {
        #expect(SIPHeaderName(letter) == name)
        #expect(SIPHeaderName(letter.uppercased()) == name)
        #expect(SIPHeaderName(letter).canonical == name.canonical)
        let samples: [SIPHeaderName: String] = [
            .callID: "compact@192.0.2.10", .from: "<sip:f@example.net>;tag=x", .to: "<sip:t@example.net>",
            .contentLength: "0", .contentType: "text/plain", .via: "SIP/2.0/TCP h.example.net;branch=z9hG4bKc",
            .contact: "<sip:m@192.0.2.10>",
        ]
        let value = samples[name] ?? "value-\(letter)"
        for spelling in [letter, letter.uppercased()] {
            var lines = baseRegisterLines
            lines.removeAll { $0.hasPrefix(name.canonical + ":") }
            lines.insert("\(spelling) :\(value)", at: 1)
            let request = try #require(parseOK(message(lines))?.request)
            let field = try #require(request.headers.first(name))
            #expect(field.rawName == Substring(spelling))
            #expect(field.value == Substring(value))
            #expect(field.name.canonical == name.canonical)
            #expect(request.headers[SIPHeaderName(name.canonical.uppercased())] == Substring(value))
            #expect(request.headers[SIPHeaderName(letter)] == Substring(value))
        }
    }

    @Test func compactFormsResolveInTypedAccessors() throws {
        let request = try #require(
            parseRequest(
                """
                SUBSCRIBE sip:alice@example.net SIP/2.0
                v: SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bKsub
                f: "Bob" <sip:bob@example.net>;tag=f1
                t: <sip:alice@example.net>
                i: call-1@192.0.2.1
                CSeq: 3 SUBSCRIBE
                m: <sip:bob@192.0.2.1:5070;transport=tcp>
                o: dialog;id=7
                u: presence, dialog
                k: path, outbound
                c: application/dialog-info+xml
                l: 0


                """, framing: .stream))
        #expect(try request.topVia.host == "192.0.2.1")
        #expect(try request.from.displayName == "Bob")
        #expect(try request.from.tag == "f1")
        #expect(try request.to.uri.user == "alice")
        #expect(request.callID == "call-1@192.0.2.1")
        #expect(try request.contacts().contacts.first?.uri.transport == "tcp")
        #expect(try request.event?.package == "dialog")
        #expect(try request.event?.id == "7")
        #expect(try request.allowEvents == ["presence", "dialog"])
        #expect(try request.supported == ["path", "outbound"])
        #expect(try request.contentType?.subtype == "dialog-info+xml")
        #expect(try request.contentLength == 0)
    }

    @Test func commaSeparatedValuesSplitOutsideQuotesAndBrackets() throws {
        let request = try #require(
            parseRequest(
                """
                REGISTER sip:example.net SIP/2.0
                Via: SIP/2.0/UDP a.example.net;branch=z9hG4bK1, SIP/2.0/UDP b.example.net;branch=z9hG4bK2
                Via: SIP/2.0/UDP c.example.net;branch=z9hG4bK3
                From: <sip:69@example.net>;tag=1
                To: <sip:69@example.net>
                Call-ID: split
                CSeq: 2 REGISTER
                Contact: "Smith, John" <sip:smith,john@a.example.net;x=1>;q=0.5,<sip:j2@b.example.net>
                Contact: "Quote \\" , comma" <sip:j3@c.example.net>, sip:j4@d.example.net;expires=30 ,
                Contact:  ,  <sip:j5,x@e.example.net>
                Content-Length: 0


                """))
        let contacts = try request.headers.values(.contact)
        #expect(
            contacts == [
                "\"Smith, John\" <sip:smith,john@a.example.net;x=1>;q=0.5",
                "<sip:j2@b.example.net>",
                "\"Quote \\\" , comma\" <sip:j3@c.example.net>",
                "sip:j4@d.example.net;expires=30",
                "<sip:j5,x@e.example.net>",
            ])
        let typed = try request.contacts().contacts
        #expect(typed.map(\.address.displayName) == ["Smith, John", nil, "Quote \" , comma", nil, nil])
        #expect(typed.map(\.uri.user) == ["smith,john", "j2", "j3", "j4", "j5,x"])
        #expect(typed[0].uri.parameters.rawValue("x") == "1")
        #expect(typed[0].qThousandths == 500)
        #expect(typed[3].expires == 30)
        #expect(try request.vias().map(\.host) == ["a.example.net", "b.example.net", "c.example.net"])
        #expect(try request.vias().map(\.branch) == ["z9hG4bK1", "z9hG4bK2", "z9hG4bK3"])
    }

    @Test func splittingRejectsUnbalancedText() throws {
        var headers = SIPHeaders()
        headers.append(.contact, "\"open quote <sip:a@b>")
        #expect(throws: SIPParseError.self) { try headers.values(.contact) }
        var angle = SIPHeaders()
        angle.append(.route, "<sip:a@b;lr, <sip:c@d>")
        #expect(throws: SIPParseError.self) { try angle.values(.route) }
        var comment = SIPHeaders()
        comment.append(.userAgent, "Phone (build 1, rev 2), other")
        #expect(try comment.values(.userAgent) == ["Phone (build 1, rev 2)", "other"])
    }

    @Test func foldedHeaderLinesAreJoined() throws {
        let request = try #require(
            parseRequest(
                """
                OPTIONS sip:example.net SIP/2.0
                Via: SIP/2.0/UDP 192.0.2.1
                 ;branch=z9hG4bKfold
                \t;rport
                From: <sip:a@example.net>
                  ;tag=f
                To: <sip:b@example.net>
                Call-ID: fold
                CSeq: 1
                \tOPTIONS
                Subject: I know you're there,
                      pick up the phone
                \t and talk to me!
                Content-Length: 0


                """))
        #expect(request.headers[.subject] == "I know you're there, pick up the phone and talk to me!")
        let via = try request.topVia
        #expect(via.branch == "z9hG4bKfold")
        #expect(via.rport == .some(nil))
        #expect(try request.from.tag == "f")
        #expect(try request.cseq == SIPCSeq(sequence: 1, method: .options))
        #expect(request.headers.count == 7)
        // The folded line is forwarded as received.
        let text = String(decoding: request.serialized(), as: UTF8.self)
        #expect(text.contains("Subject: I know you're there,\r\n      pick up the phone\r\n\t and talk to me!\r\n"))
    }

    @Test func whiteSpaceBeforeColonAndAroundValues() throws {
        let request = try #require(
            parseRequest(
                """
                OPTIONS sip:example.net SIP/2.0
                Via\t :  SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKws  
                From:<sip:a@example.net>;tag=f
                To :<sip:b@example.net>
                Call-ID  :   ws  
                CSeq\t:\t 1 OPTIONS
                Content-Length:0


                """))
        #expect(request.headers[.via] == "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKws")
        #expect(request.callID == "ws")
        #expect(request.headers.first(.callID)?.rawName == "Call-ID")
    }

    @Test(arguments: [
        "Bad Header: x", "NoColon", ": empty name", "Na@me: x", "\u{7F}: x",
    ])
    func malformedHeaderLine(line: String) throws {
        var lines = baseRegisterLines
        lines.insert(line, at: 3)
        expectError(message(lines), .malformedHeader, reason: "malformed header line 4", answerable: true)
    }

    @Test func everyWellKnownNameAndCompactFormIsRecognised() throws {
        // The parser recognises names by comparing bytes (SIPHeaderName.wellKnownID); it must
        // agree with the names SIPHeaderName(_:) knows, in any case.
        // (The names the parser itself counts, single-valued, are covered by the fixtures with
        // compact forms and mixed case: a second one would be refused here.)
        let names = [
            "Via", "Contact", "Expires", "Min-Expires", "Route",
            "Record-Route", "Path", "Authorization", "Proxy-Authorization", "WWW-Authenticate", "Proxy-Authenticate",
            "Authentication-Info", "Event", "Subscription-State", "Allow-Events", "Allow", "Accept", "Supported",
            "Require", "Proxy-Require", "Unsupported", "Content-Encoding",
            "User-Agent", "Server", "Date", "Subject", "Refer-To", "Referred-By", "Session-Expires", "Identity",
            "Accept-Contact", "Retry-After", "Warning", "Timestamp", "Flow-Timer",
            "m", "v", "k", "s", "e", "o", "u", "r", "b", "x", "y", "a",
            "X-Not-Known", "Vias", "Fro", "Content-Lengths", "Authorisation",
        ]
        for name in names {
            for spelling in [name, name.lowercased(), name.uppercased()] {
                var lines = baseRegisterLines
                lines.insert("\(spelling): 1", at: 2)
                let parsed = try #require(parseOK(message(lines))?.request?.headers[1])
                #expect(parsed.name == SIPHeaderName(spelling), "\(spelling)")
                #expect(parsed.name.canonical == SIPHeaderName(spelling).canonical, "\(spelling)")
                #expect(parsed.rawName == Substring(spelling))
            }
        }
    }

    @Test func editingACopyLeavesTheParsedHeadersAlone() throws {
        let request = try #require(parseRequest(String(decoding: message(baseRegisterLines), as: UTF8.self)))
        let original = request.headers
        var copy = original
        copy.prepend(SIPHeaderField(.via, "SIP/2.0/TCP proxy.example.net;branch=z9hG4bKp"))
        copy.append(.userAgent, "test")
        copy.insert(SIPHeaderField(name: "X-Mid", value: "m"), at: 3)
        copy.replace(at: copy.firstIndex(of: .maxForwards)!, with: SIPHeaderField(.maxForwards, "69"))
        copy.removeAll(.contact)
        copy.set(.contentLength, "7")
        let removed = copy.remove(at: copy.firstIndex(of: .callID)!)
        #expect(removed.value == "1j9FpLxk3uxtm8tn@192.0.2.10")
        #expect(original == request.headers)
        #expect(original.count == baseRegisterLines.count - 1)
        #expect(original[.maxForwards] == "70")
        #expect(
            copy.map { String($0.rawName) } == [
                "Via", "Via", "Max-Forwards", "X-Mid", "From", "To", "CSeq", "Content-Length", "User-Agent",
            ])
        #expect(copy.all(.via).map(\.value) == ["SIP/2.0/TCP proxy.example.net;branch=z9hG4bKp", original[.via]!])
        #expect(copy[.maxForwards] == "69" && copy[.contentLength] == "7" && copy["x-mid"] == "m")
        // Fields kept from the wire are written as received; the changed ones as Name: value.
        let edited = SIPRequest(method: .register, uri: request.uri, headers: copy)
        let wire = String(decoding: edited.serialized(), as: UTF8.self)
        #expect(wire.contains("\r\nFrom: <sip:69@example.net>;tag=a73kszlfl\r\n"))
        #expect(wire.contains("\r\nMax-Forwards: 69\r\n"))
        // Replacing one field many times keeps one value (fields no longer used are dropped).
        var churn = original
        for n in 0..<200 { churn.set(.expires, String(n)) }
        #expect(churn[.expires] == "199")
        #expect(churn.all(.expires).count == 1)
        #expect(churn.count == original.count + 1)
    }
}
