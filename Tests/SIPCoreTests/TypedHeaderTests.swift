import SIPCore
import Testing

/// A REGISTER with `extra` header lines inserted before Content-Length, and `replacing` lines
/// swapped in for the base line with the same name.
func register(_ extra: [String] = [], replacing: [String] = [], sourceLocation: SourceLocation = #_sourceLocation)
    -> SIPRequest?
{
    var lines = baseRegisterLines
    for line in replacing {
        let name = line.prefix(while: { $0 != ":" })
        guard let index = lines.firstIndex(where: { $0.hasPrefix(name + ":") }) else {
            Issue.record("no \(name) line to replace", sourceLocation: sourceLocation)
            continue
        }
        lines[index] = line
    }
    lines.insert(contentsOf: extra, at: lines.count - 1)
    return parseOK(message(lines), sourceLocation: sourceLocation)?.request
}

@Suite struct ViaTests {
    @Test func allParameters() throws {
        let request = try #require(
            register(replacing: [
                "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK74bf9;received=198.51.100.7;rport=40000;maddr=224.2.0.1;ttl=16;x-odd"
            ]))
        let via = try request.topVia
        #expect(via.transport == "UDP")
        #expect(via.host == "192.0.2.1")
        #expect(via.port == 5062)
        #expect(via.branch == "z9hG4bK74bf9")
        #expect(via.hasRFC3261Branch)
        #expect(via.received == "198.51.100.7")
        #expect(via.rport == .some(40000))
        #expect(via.maddr == "224.2.0.1")
        #expect(via.ttl == 16)
        #expect(via.parameters.contains("x-odd"))
        #expect(via.parameters.rawValue("x-odd") == nil)
    }

    @Test func rportWithoutValueAndAbsent() throws {
        let asked = try SIPVia(parsing: "SIP/2.0/TCP client.example.net;rport;branch=z9hG4bKx")
        #expect(asked.rport == .some(nil))
        #expect(asked.port == nil)
        let absent = try SIPVia(parsing: "SIP/2.0/TCP client.example.net;branch=1234")
        #expect(absent.rport == nil)
        #expect(absent.branch == "1234")
        #expect(!absent.hasRFC3261Branch)
        #expect(absent.received == nil && absent.maddr == nil && absent.ttl == nil)
    }

    @Test func oddButLegalSpacing() throws {
        let via = try SIPVia(
            parsing: "sip / 2.0 / tls   [2001:db8::9:1]:5061 ; branch = z9hG4bKsp ; received=2001:db8::1")
        #expect(via.transport == "TLS")
        #expect(via.host == "[2001:db8::9:1]")
        #expect(via.port == 5061)
        #expect(via.branch == "z9hG4bKsp")
        #expect(via.received == "2001:db8::1")
    }

    @Test func colonAroundPortMayHaveWhiteSpace() throws {
        // sent-by = host [ COLON port ], COLON = SWS ":" SWS (RFC 3261 §25.1).
        let via = try SIPVia(parsing: "SIP/2.0/UDP host.example.net : 5070;branch=z9hG4bKc")
        #expect(via.host == "host.example.net")
        #expect(via.port == 5070)
    }

    @Test(arguments: [
        "SIP/2.0 host", "SIP/2.0/UDP", "SIP/3.0/UDP host", "HTTP/2.0/UDP host", "SIP/2.0/UDP ho st",
        "SIP/2.0/UDP host:99999", "SIP/2.0/UDP host:", "SIP/2.0/UDP [::1", "SIP/2.0/UDP [::1]x",
        "SIP/2.0/UDP host;branch=\"open",
    ])
    func invalidVia(text: String) throws {
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: Substring(text)) }
    }

    @Test(arguments: ["SIP/7.0/UDP host;branch=z9hG4bK1", "sip / 3.0 / tcp host", "SIP/2.1/UDP [::1]:5060"])
    func otherSIPVersionIs505(text: String) throws {
        let error = try #require(throws: SIPParseError.self) { try SIPVia(parsing: Substring(text)) }
        #expect(error.code == .unsupportedVersion)
        #expect(error.statusCode == 505)
    }

    @Test(arguments: [
        "SIP/2.0/UDP host;;branch=z9hG4bK1", "SIP/2.0/UDP host;branch=z9hG4bK1;", "SIP/2.0/UDP host;",
        "SIP/2.0/UDP host; ;rport",
    ])
    func emptyParametersAreRefused(text: String) throws {
        // *( SEMI via-params ): no empty parameter (RFC 3261 §25.1, RFC 4475 §3.1.2.1).
        let error = try #require(throws: SIPParseError.self) { try SIPVia(parsing: Substring(text)) }
        #expect(error.reason == "empty parameter")
    }

    @Test func description() throws {
        let via = SIPVia(
            transport: "TCP", host: "[::1]", port: 5060,
            parameters: SIPParameters([.init(name: "branch", value: "z9hG4bK1"), .init(name: "rport", value: nil)]))
        #expect(via.description == "SIP/2.0/TCP [::1]:5060;branch=z9hG4bK1;rport")
        #expect(try SIPVia(parsing: Substring(via.description)) == via)
    }
}

@Suite struct AddressHeaderTests {
    @Test func fromAndToTags() throws {
        let request = try #require(
            register(replacing: [
                "From: \"Alice \\\"Al\\\" Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774;x=y",
                "To: sip:alice@atlanta.example.com",
            ]))
        let from = try request.from
        #expect(from.displayName == "Alice \"Al\" Liddell")
        #expect(from.uri.user == "alice")
        #expect(from.tag == "1928301774")
        #expect(from.parameters.rawValue("x") == "y")
        let to = try request.to
        #expect(to.displayName == nil)
        #expect(to.tag == nil)
        #expect(to.uri.host == "atlanta.example.com")
    }

    @Test func addrSpecParametersBelongToTheHeader() throws {
        let address = try SIPNameAddress(parsing: "sip:bob@biloxi.example.com;tag=a48s;transport=tcp")
        #expect(address.tag == "a48s")
        #expect(address.parameters.rawValue("transport") == "tcp")
        #expect(address.uri.parameters.isEmpty)
        let bracketed = try SIPNameAddress(parsing: "<sip:bob@biloxi.example.com;transport=tcp>;tag=a48s")
        #expect(bracketed.uri.transport == "tcp")
        #expect(bracketed.parameters.count == 1)
    }

    @Test func tokenDisplayName() throws {
        let address = try SIPNameAddress(parsing: "Bob  Smith <sips:bob@biloxi.example.com>")
        #expect(address.displayName == "Bob  Smith")
        #expect(address.uri.scheme == .sips)
        let quotedEmpty = try SIPNameAddress(parsing: "\"\" <sip:x@y>")
        #expect(quotedEmpty.displayName == "")
    }

    @Test func tagSetter() throws {
        var address = try SIPNameAddress(parsing: "<sip:a@b>")
        address.tag = "t1"
        #expect(address.description == "<sip:a@b>;tag=t1")
        address.tag = nil
        #expect(address.description == "<sip:a@b>")
        let named = SIPNameAddress(displayName: "A \"B\"", uri: SIPURI(user: "a", host: "b"))
        #expect(named.description == "\"A \\\"B\\\"\" <sip:a@b>")
        #expect(try SIPNameAddress(parsing: Substring(named.description)).displayName == "A \"B\"")
    }

    @Test(arguments: [
        "", "\"unterminated <sip:a@b>", "<sip:a@b", "Bob@Home <sip:a@b>", "<sip:a b@c>", "<sip:a@b> junk",
        "sip:a@b?x=y", "<http://example.com>", "\"x\" y\" <sip:a@b>",
    ])
    func invalidAddress(text: String) throws {
        #expect(throws: SIPParseError.self) { try SIPNameAddress(parsing: Substring(text)) }
    }

    @Test(arguments: [
        ("\"open <sip:a@b>;tag=1", "unterminated quoted string"),
        ("\"bell \u{7}\" <sip:a@b>", "invalid character in quoted string"),
        ("\"nul \u{0}\" <sip:a@b>", "invalid character in quoted string"),
        ("\"a\" \"b\" <sip:a@b>", "invalid display name"),
        ("<<sip:a@b>>", "nested or repeated angle brackets"),
        ("<sip:a@b> <sip:c@d>", "nested or repeated angle brackets"),
        ("<sip:a@b>>", "unbalanced '>' in address"),
        ("sip:a@b>", "unbalanced '>' in address"),
        ("<sip:a@b;tag=1", "missing '>' in address"),
        ("<sip:@example.net>", "empty user in URI"),
        ("sip:@example.net;tag=1", "empty user in URI"),
        ("<sips::secret@example.net>", "empty user in URI"),
        ("<sip:a@b>;tag=1;tag=2", "more than one tag parameter"),
        ("<sip:a@b>;TAG=1;tag=1", "more than one tag parameter"),
        ("<sip:a@b>;tag=1;", "empty parameter"),
        ("<sip:a@b>;x=\"unterminated", "unterminated quoted string"),
        ("<sip:a@b>;x=\"a\\\"", "unterminated quoted string"),
    ])
    func malformedAddressesAreRefused(text: String, reason: String) throws {
        let error = try #require(throws: SIPParseError.self) { try SIPNameAddress(parsing: Substring(text)) }
        #expect(error.reason == reason)
        #expect(error.statusCode == 400)
    }

    @Test func nestingBeyondTheLimitIsALimitError() throws {
        var limits = SIPParserLimits()
        limits.maxNesting = 3
        let deep = String(repeating: "<", count: 4) + "sip:a@b" + String(repeating: ">", count: 4)
        let error = try #require(throws: SIPParseError.self) {
            try SIPNameAddress(parsing: Substring(deep), limits: limits)
        }
        #expect(error.code == .limitExceeded)
        // Many quoted strings in a row are no display name either.
        let quotes = String(repeating: "\"\" ", count: 100) + "<sip:a@b>"
        #expect(throws: SIPParseError.self) { try SIPNameAddress(parsing: Substring(quotes)) }
    }

    @Test func escapedControlCharactersInQuotedStrings() throws {
        // quoted-pair allows %x00-09 / %x0B-0C / %x0E-7F after the backslash.
        let address = try SIPNameAddress(parsing: "\"a\\\u{0}b\\\u{7F}\\\t\" <sip:a@b>;p=\"x\\\u{1}\"")
        #expect(address.displayName == "a\u{0}b\u{7F}\t")
        #expect(address.parameters.value("p") == "x\u{1}")
        // Written back, control characters are escaped again, so the text parses to the same name.
        let written = SIPNameAddress(displayName: "bell\u{7} nul\u{0} tab\t del\u{7F} cr\r", uri: SIPURI(host: "b"))
        #expect(written.description == "\"bell\\\u{7} nul\\\u{0} tab\t del\\\u{7F} cr \" <sip:b>")
        let reparsed = try SIPNameAddress(parsing: Substring(written.description))
        #expect(reparsed.displayName == "bell\u{7} nul\u{0} tab\t del\u{7F} cr ")
    }

    @Test func missingOrBrokenFromNamesTheHeader() throws {
        let request = try #require(register(replacing: ["From: <sip:a@b"]))
        let error = try #require(throws: SIPParseError.self) { try request.from }
        #expect(error.reason.hasPrefix("invalid From:"))
        var headers = request.headers
        headers.removeAll(.to)
        let noTo = SIPRequest(method: .register, uri: request.uri, headers: headers)
        let missing = try #require(throws: SIPParseError.self) { try noTo.to }
        #expect(missing.reason == "missing To")
        #expect(missing.code == .missingHeader)
    }

    @Test func routeRecordRoutePath() throws {
        let request = try #require(
            register([
                "Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr;transport=tcp>",
                "Route: <sip:[2001:db8::2]:5080;lr>",
                "Record-Route: <sip:rr1.example.net;lr>",
                "Path: <sip:edge.example.net;lr;ob>, <sip:core.example.net;lr>",
            ]))
        let routes = try request.routes()
        #expect(routes.map(\.uri.host) == ["p1.example.net", "p2.example.net", "[2001:db8::2]"])
        #expect(routes.allSatisfy { $0.uri.isLooseRouter })
        #expect(routes[1].uri.transport == "tcp")
        #expect(routes[2].uri.port == 5080)
        #expect(try request.recordRoutes().map(\.uri.host) == ["rr1.example.net"])
        let paths = try request.paths()
        #expect(paths.map(\.uri.host) == ["edge.example.net", "core.example.net"])
        #expect(paths[0].uri.parameters.contains("ob"))
        let none = try #require(register())
        #expect(try none.routes().isEmpty)
        let broken = try #require(register(["Route: <sip:p1.example.net;lr>, <nonsense>"]))
        let error = try #require(throws: SIPParseError.self) { try broken.routes() }
        #expect(error.reason.hasPrefix("invalid Route:"))
    }
}

@Suite struct SimpleHeaderTests {
    @Test func callIDCSeqMaxForwards() throws {
        let request = try #require(
            register(replacing: [
                "Call-ID:   f81d4fae-7dec-11d0-a765-00a0c91e6bf6@[2001:db8::1]  ", "CSeq:  314159   REGISTER",
            ]))
        #expect(request.callID == "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@[2001:db8::1]")
        let cseq = try request.cseq
        #expect(cseq.sequence == 314_159)
        #expect(cseq.method == .register)
        #expect(cseq.description == "314159 REGISTER")
        #expect(try request.maxForwards == 70)
        let noMaxForwards = try #require(parseOK(message(registerReplacing("Max-Forwards", with: nil)))?.request)
        #expect(try noMaxForwards.maxForwards == nil)
        let zero = try #require(register(replacing: ["Max-Forwards: 0"]))
        #expect(try zero.maxForwards == 0)
        let most = try #require(register(replacing: ["Max-Forwards: 255"]))
        #expect(try most.maxForwards == 255)
    }

    @Test func expiresAndMinExpires() throws {
        let request = try #require(register(["Expires: 3600", "Min-Expires: 60"]))
        #expect(try request.expires == 3600)
        #expect(try request.minExpires == 60)
        let none = try #require(register())
        #expect(try none.expires == nil)
        #expect(try none.minExpires == nil)
        let big = try #require(register(["Expires: 4294967295"]))
        #expect(try big.expires == UInt32.max)
        for bad in ["Expires: soon", "Expires: -1", "Expires: 4294967296", "Expires: 1.5"] {
            let request = try #require(register([bad]))
            let error = try #require(throws: SIPParseError.self) { try request.expires }
            #expect(error.reason == "invalid Expires")
        }
        let badMin = try #require(register(["Min-Expires: x"]))
        #expect(throws: SIPParseError.self) { try badMin.minExpires }
    }

    @Test func optionTagsAndEvents() throws {
        let request = try #require(
            register([
                "Supported: path, outbound", "k: gruu", "Require: 100rel", "Proxy-Require: sec-agree, foo.bar",
                "Allow-Events: presence, dialog,message-summary", "u: reg",
            ]))
        #expect(try request.supported == ["path", "outbound", "gruu"])
        #expect(try request.require == ["100rel"])
        #expect(try request.proxyRequire == ["sec-agree", "foo.bar"])
        #expect(try request.allowEvents == ["presence", "dialog", "message-summary", "reg"])
        let none = try #require(register())
        #expect(try none.supported.isEmpty && none.require.isEmpty && none.proxyRequire.isEmpty)
        let bad = try #require(register(["Require: two words"]))
        let error = try #require(throws: SIPParseError.self) { try bad.require }
        #expect(error.reason == "invalid Require")
    }

    @Test func eventHeader() throws {
        let request = try #require(register(["Event: dialog ; id = 77 ; call-id=\"a@b\""]))
        let event = try #require(try request.event)
        #expect(event.package == "dialog")
        #expect(event.id == "77")
        #expect(event.parameters.value("call-id") == "a@b")
        #expect(event.isSamePackage("DIALOG"))
        #expect(try SIPEventHeader(parsing: "http-monitor").package == "http-monitor")
        #expect(try SIPEventHeader(parsing: "presence.winfo").package == "presence.winfo")
        #expect(throws: SIPParseError.self) { try SIPEventHeader(parsing: "two words") }
        #expect(throws: SIPParseError.self) { try SIPEventHeader(parsing: "") }
        #expect(try #require(register()).event == nil)
    }

    @Test func subscriptionState() throws {
        let active = try SIPSubscriptionState(parsing: "Active;expires=3600")
        #expect(active.state == "active")
        #expect(active.expires == 3600)
        let terminated = try SIPSubscriptionState(parsing: "terminated;reason=timeout;retry-after=30")
        #expect(terminated.state == "terminated")
        #expect(terminated.reason == "timeout")
        #expect(terminated.retryAfter == 30)
        #expect(terminated.expires == nil)
        let request = try #require(register(["Subscription-State: pending;expires=60"]))
        #expect(try request.subscriptionState?.state == "pending")
        #expect(try request.subscriptionState?.expires == 60)
        #expect(throws: SIPParseError.self) { try SIPSubscriptionState(parsing: ";expires=1") }
    }

    @Test func contentTypeAndLength() throws {
        let request = try #require(register(["Content-Type: Application / Dialog-Info+XML ; charset=\"UTF-8\""]))
        let type = try #require(try request.contentType)
        #expect(type.type == "Application")
        #expect(type.subtype == "Dialog-Info+XML")
        #expect(type.matches(type: "application", subtype: "dialog-info+xml"))
        #expect(!type.matches(type: "application", subtype: "sdp"))
        #expect(type.parameters.value("charset") == "UTF-8")
        #expect(type.parameters.rawValue("charset") == "\"UTF-8\"")
        #expect(try request.contentLength == 0)
        #expect(throws: SIPParseError.self) { try SIPMediaType(parsing: "text") }
        #expect(throws: SIPParseError.self) { try SIPMediaType(parsing: "text/") }
        #expect(throws: SIPParseError.self) { try SIPMediaType(parsing: "te xt/plain") }
        #expect(try SIPMediaType(parsing: "message/sipfrag;version=2.0").parameters.rawValue("version") == "2.0")
    }

    @Test func userAgentAsWritten() throws {
        let request = try #require(register(["User-Agent: Grandstream GXP2170 1.0.11.3 (lab, build 7)"]))
        #expect(request.userAgent == "Grandstream GXP2170 1.0.11.3 (lab, build 7)")
        #expect(try #require(register()).userAgent == nil)
    }
}

@Suite struct ContactTests {
    @Test func registrarParameters() throws {
        let request = try #require(
            register(replacing: [
                "Contact: \"Desk\" <sip:69@192.0.2.10:5060;transport=udp;ob>;expires=3600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>\";reg-id=1;pub-gruu=\"sip:69@example.net;gr=urn:uuid:00000000-0000-1000-8000-0000DEADBEEF\""
            ]))
        let list = try request.contacts()
        let contact = try #require(list.contacts.first)
        #expect(list.contacts.count == 1)
        #expect(contact.address.displayName == "Desk")
        #expect(contact.uri.port == 5060)
        #expect(contact.uri.transport == "udp")
        #expect(contact.uri.parameters.contains("ob"))
        #expect(contact.expires == 3600)
        #expect(contact.qThousandths == 700)
        #expect(!contact.hasInvalidQ)
        #expect(contact.instance == "urn:uuid:00000000-0000-1000-8000-0000DEADBEEF")
        #expect(contact.regID == 1)
        #expect(contact.pubGRUU == "sip:69@example.net;gr=urn:uuid:00000000-0000-1000-8000-0000DEADBEEF")
        #expect(contact.parameters.count == 5)
    }

    @Test func addrSpecContactKeepsHeaderParameters() throws {
        let request = try #require(register(replacing: ["Contact: sip:69@192.0.2.10;expires=0"]))
        let contact = try #require(try request.contacts().contacts.first)
        #expect(contact.expires == 0)
        #expect(contact.uri.parameters.isEmpty)
        #expect(contact.qThousandths == nil)
        #expect(contact.instance == nil && contact.regID == nil && contact.pubGRUU == nil)
    }

    @Test func wildcard() throws {
        let request = try #require(register(["Expires: 0"], replacing: ["Contact: *"]))
        #expect(try request.contacts() == .wildcard)
        #expect(try request.contacts().contacts.isEmpty)
        let spaced = try #require(register(replacing: ["Contact:    *   "]))
        #expect(try spaced.contacts() == .wildcard)
        let mixed = try #require(register(replacing: ["Contact: *, <sip:a@b>"]))
        let error = try #require(throws: SIPParseError.self) { try mixed.contacts() }
        #expect(error.reason.contains("'*'"))
        let twoLines = try #require(register(["Contact: *"]))
        #expect(throws: SIPParseError.self) { try twoLines.contacts() }
    }

    @Test func absentContactIsEmpty() throws {
        let request = try #require(parseOK(message(registerReplacing("Contact", with: nil)))?.request)
        #expect(try request.contacts() == .contacts([]))
    }

    @Test(arguments: [
        ("0", 0), ("1", 1000), ("0.5", 500), ("0.05", 50), ("0.123", 123), ("1.0", 1000), ("1.000", 1000),
        ("0.", 0), ("1.", 1000),
    ])
    func validQValues(text: String, thousandths: Int) throws {
        let contact = SIPContact(uri: SIPURI(host: "h"), parameters: SIPParameters([.init(name: "q", value: text)]))
        #expect(contact.qThousandths == thousandths)
        #expect(!contact.hasInvalidQ)
    }

    @Test(arguments: ["1.5", "1.001", "2", "0.1234", ".5", "-0.5", "0,5", "", "a"])
    func invalidQValues(text: String) throws {
        let contact = SIPContact(uri: SIPURI(host: "h"), parameters: SIPParameters([.init(name: "q", value: text)]))
        #expect(contact.qThousandths == nil)
        #expect(contact.hasInvalidQ)
    }

    @Test func invalidContactNamesTheHeader() throws {
        let request = try #require(register(replacing: ["Contact: <sip:69@[::1>"]))
        let error = try #require(throws: SIPParseError.self) { try request.contacts() }
        #expect(error.reason.hasPrefix("invalid Contact:"))
        #expect(error.code == .invalidURI)
    }
}

@Suite struct AuthHeaderTests {
    @Test func authorizationWithEscapes() throws {
        let request = try #require(
            register([
                #"Authorization: Digest username="69/0000DEADBEEF", realm="example.net", nonce="b7c9\"036d", uri="sip:example.net", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b\\x", opaque="", qop=auth, nc=00000001"#
            ]))
        let auth = try #require(try request.authorizations().first)
        #expect(auth.scheme == "Digest")
        #expect(auth.isDigest)
        #expect(auth.username == "69/0000DEADBEEF")
        #expect(auth.realm == "example.net")
        #expect(auth.nonce == "b7c9\"036d")
        #expect(auth.uri == "sip:example.net")
        #expect(auth.response == "6629fae49393a05397450978507c4ef1")
        #expect(auth.algorithm == "MD5")
        #expect(auth.cnonce == "0a4f113b\\x")
        #expect(auth.opaque == "")
        #expect(auth.qop == "auth")
        #expect(auth.nonceCount == "00000001")
        #expect(!auth.stale && !auth.userhash)
        #expect(auth.parameters.count == 10)
        #expect(auth.parameters[2].value == #""b7c9\"036d""#)
    }

    @Test func challengesAndProxyHeaders() throws {
        let request = try #require(
            register([
                #"WWW-Authenticate: Digest realm="atlanta.example.com", domain="sip:ss1.example.com, sip:ss2.example.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5"#,
                #"WWW-Authenticate: Digest realm="atlanta.example.com", nonce="n2", algorithm=SHA-256, userhash=true"#,
                #"Proxy-Authenticate: digest realm="proxy.example.com", nonce="pn", stale=TRUE"#,
                #"Proxy-Authorization: Digest username="bob", realm="proxy.example.com", nonce="pn", uri="sip:bob@example.com", response="abc""#,
            ]))
        let challenges = try request.wwwAuthenticates()
        #expect(challenges.count == 2)
        #expect(challenges[0].realm == "atlanta.example.com")
        #expect(challenges[0].value("domain") == "sip:ss1.example.com, sip:ss2.example.com")
        #expect(challenges[0].qop == "auth,auth-int")
        #expect(!challenges[0].stale)
        #expect(challenges[1].algorithm == "SHA-256")
        #expect(challenges[1].userhash)
        let proxy = try #require(try request.proxyAuthenticates().first)
        #expect(proxy.isDigest)
        #expect(proxy.scheme == "digest")
        #expect(proxy.stale)
        #expect(try request.proxyAuthorizations().first?.username == "bob")
        #expect(try request.authorizations().isEmpty)
    }

    @Test func foldedAuthorization() throws {
        let bytes = message(
            baseRegisterLines.dropLast() + [
                "Authorization: Digest username=\"69\",\r\n realm=\"example.net\",\r\n\tnonce=\"n\"",
                "Content-Length: 0",
            ])
        let request = try #require(parseOK(bytes)?.request)
        let auth = try #require(try request.authorizations().first)
        #expect(auth.username == "69")
        #expect(auth.realm == "example.net")
        #expect(auth.nonce == "n")
    }

    @Test(arguments: [
        #"Digest username="unterminated"#, #"Digest username"#, #"Digest user name="x""#, #"Di@gest username="x""#,
        #"Digest username=two words"#,
    ])
    func invalidAuth(text: String) throws {
        #expect(throws: SIPParseError.self) { try SIPAuthHeader(parsing: Substring(text)) }
    }

    @Test func invalidAuthNamesTheHeader() throws {
        let request = try #require(register([#"Authorization: Digest username="x"#]))
        let error = try #require(throws: SIPParseError.self) { try request.authorizations() }
        #expect(error.reason.hasPrefix("invalid Authorization:"))
        #expect(!error.reason.contains("username"))
    }

    @Test func buildingCredentials() throws {
        var auth = SIPAuthHeader()
        auth.appendQuoted("username", "a\"b\\c")
        auth.appendToken("algorithm", "MD5")
        #expect(auth.description == #"Digest username="a\"b\\c", algorithm=MD5"#)
        let parsed = try SIPAuthHeader(parsing: Substring(auth.description))
        #expect(parsed.username == "a\"b\\c")
        #expect(parsed == auth)
    }
}
