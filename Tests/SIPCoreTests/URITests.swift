import SIPCore
import Testing

/// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966).
@Suite struct URIParsingTests {
    @Test func everyComponent() throws {
        let uri = try SIPURI(
            parsing:
                "sips:alice:secret%21word@Atlanta.Example.COM:5061;transport=TLS;lr;maddr=[2001:db8::7]?Subject=project%20x&priority=urgent"
        )
        #expect(uri.scheme == .sips)
        #expect(uri.user == "alice")
        #expect(uri.password == "secret%21word")
        #expect(uri.host == "Atlanta.Example.COM")
        #expect(uri.normalizedHost == "atlanta.example.com")
        #expect(uri.port == 5061)
        #expect(uri.parameters.elements.map(\.name) == ["transport", "lr", "maddr"])
        #expect(uri.transport == "tls")
        #expect(uri.parameters.rawValue("TRANSPORT") == "TLS")
        #expect(uri.isLooseRouter)
        #expect(uri.parameters.rawValue("maddr") == "[2001:db8::7]")
        #expect(
            uri.headers == [.init(name: "Subject", value: "project%20x"), .init(name: "priority", value: "urgent")])
        #expect(!uri.isIPv6)
        #expect(
            uri.description
                == "sips:alice:secret%21word@Atlanta.Example.COM:5061;transport=TLS;lr;maddr=[2001:db8::7]?Subject=project%20x&priority=urgent"
        )
    }

    @Test func userWithReservedCharactersAndEscapes() throws {
        let uri = try SIPURI(parsing: "sip:+1-212-555-1212;npdi;rn=+1/a&b~c=d,e$f?g@gw.example.net;user=phone")
        #expect(uri.user == "+1-212-555-1212;npdi;rn=+1/a&b~c=d,e$f?g")
        #expect(uri.host == "gw.example.net")
        #expect(uri.parameters.rawValue("user") == "phone")
        let escaped = try SIPURI(parsing: "sip:%61lice%20B%40home%3b@example.net")
        #expect(escaped.user == "%61lice%20B%40home%3b")
        #expect(escaped.unescapedUser == "alice B@home;")
        #expect(escaped.description == "sip:%61lice%20B%40home%3b@example.net")
        let tilde = try SIPURI(parsing: "sip:~~in~69&0000deadbeef@example.net")
        #expect(tilde.user == "~~in~69&0000deadbeef")
        #expect(SIPURI.unescape("100%25%zz%4") == "100%%zz%4")
        #expect(SIPURI.escapeUser("a b@c%") == "a%20b%40c%25")
        #expect(SIPURI.escapeUser("69;x/y&z~") == "69;x/y&z~")
    }

    @Test(arguments: [
        ("sip:192.0.2.4", "192.0.2.4", nil as Int?),
        ("sip:192.0.2.4:5060", "192.0.2.4", 5060),
        ("sip:user@[2001:db8::10]", "[2001:db8::10]", nil),
        ("sip:user@[2001:DB8::10]:5070;transport=tcp", "[2001:DB8::10]", 5070),
        ("sip:[::ffff:192.0.2.1]:0", "[::ffff:192.0.2.1]", 0),
        ("sip:host-name.example_x.net:65535", "host-name.example_x.net", 65535),
        ("SIP:Bob@Biloxi.example.com", "Biloxi.example.com", nil),
    ])
    func hosts(text: String, host: String, port: Int?) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.host == host)
        #expect(uri.port == port)
        #expect(uri.isIPv6 == host.hasPrefix("["))
        #expect(uri.scheme == .sip)
    }

    @Test func ipv6NormalizedHost() throws {
        let uri = try SIPURI(parsing: "sip:[2001:DB8::A]:5060")
        #expect(uri.normalizedHost == "2001:db8::a")
        #expect(uri.isIPv6)
    }

    @Test func tel() throws {
        let uri = try SIPURI(parsing: "tel:+1-201-555-0123;phone-context=example.com;ext=42")
        #expect(uri.scheme == .tel)
        #expect(uri.user == "+1-201-555-0123")
        #expect(uri.host == "")
        #expect(uri.parameters.rawValue("phone-context") == "example.com")
        #expect(uri.parameters.rawValue("ext") == "42")
        #expect(uri.description == "tel:+1-201-555-0123;phone-context=example.com;ext=42")
        #expect(try SIPURI(parsing: "TEL:*67#").user == "*67#")
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "tel:") }
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "tel:+1 201") }
    }

    @Test(arguments: [
        ("sip:", "URI without host"), ("sip:@example.net", "empty user"),
        ("sip:a b@example.net", "invalid character in URI user"),
        ("sip:a%2@example.net", "invalid escape"), ("sip:a%zz@example.net", "invalid escape"),
        ("sip:a:p@ss@example.net", "invalid character in URI host"),
        ("sip:a:p w@example.net", "invalid character in URI password"),
        ("sip:[2001:db8::1", "unterminated IPv6"), ("sip:[]", "invalid IPv6"), ("sip:[zz::1]", "invalid IPv6"),
        ("sip:[192.0.2.1]", "invalid IPv6"), ("sip:ex ample.net", "invalid character in URI host"),
        ("sip:example.net:", "invalid port"), ("sip:example.net:65536", "invalid port"),
        ("sip:example.net:5x", "unexpected character"),
        ("sip:example.net;", "empty URI parameter"), ("sip:example.net;;lr", "empty URI parameter"),
        ("sip:example.net;=x", "empty URI parameter name"),
        ("sip:example.net;a b", "invalid character in URI parameter"),
        ("sip:example.net?", "URI header without '='"), ("sip:example.net?a", "URI header without '='"),
        ("sip:example.net?=b", "empty URI header name"), ("sip:example.net?a=b c", "invalid character in URI header"),
        ("sip:[::1]x", "unexpected character"), ("example.net", "URI without scheme"), (":x", "invalid URI scheme"),
        ("s ip:x", "invalid URI scheme"),
    ])
    func invalid(text: String, reason: String) throws {
        let error = try #require(throws: SIPParseError.self) { try SIPURI(parsing: text) }
        #expect(error.code == .invalidURI)
        #expect(error.reason.contains(reason), "reason was \(error.reason)")
    }

    @Test(arguments: ["http://example.net/", "mailto:a@b", "urn:uuid:1234", "im:x@y", "h323:a@b"])
    func otherSchemes(text: String) throws {
        let error = try #require(throws: SIPParseError.self) { try SIPURI(parsing: text) }
        #expect(error.code == .unsupportedURIScheme)
        #expect(error.statusCode == 416)
    }

    @Test func addressOfRecord() throws {
        let uri = try SIPURI(parsing: "sip:%61lice%2e@Example.NET:5060;transport=tcp?Subject=x")
        let aor = uri.addressOfRecord
        #expect(aor.description == "sip:alice.@example.net")
        #expect(aor == (try SIPURI(parsing: "sip:alice%2E@example.net")))
        #expect(
            (try SIPURI(parsing: "sips:a@[2001:DB8::1]:5061")).addressOfRecord.description == "sips:a@[2001:db8::1]")
        #expect((try SIPURI(parsing: "sip:a%20b@h")).addressOfRecord.user == "a%20b")
    }

    @Test func parametersEditing() throws {
        var uri = try SIPURI(parsing: "sip:a@b;Transport=udp;lr")
        uri.parameters.set("transport", "tcp")
        uri.parameters.set("ob", nil)
        uri.parameters.remove("LR")
        #expect(uri.description == "sip:a@b;Transport=tcp;ob")
        #expect(uri.parameters.value("transport") == "tcp")
        #expect(uri.parameters.contains("OB"))
        #expect(uri.parameters.count == 2)
    }

    @Test func builtURIDescription() throws {
        let uri = SIPURI(
            scheme: .sip, user: "69", password: "pw", host: "[::1]", port: 5060,
            parameters: SIPParameters([.init(name: "transport", value: "tcp")]),
            headers: [.init(name: "Subject", value: "hi")])
        #expect(uri.description == "sip:69:pw@[::1]:5060;transport=tcp?Subject=hi")
        #expect(structurallyEqual(try SIPURI(parsing: uri.description), uri))
    }
}

/// URI comparison (RFC 3261 §19.1.4), with the RFC's own examples.
@Suite struct URIEquivalenceTests {
    @Test(arguments: [
        ["sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"],
        ["sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"],
        [
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ],
        [
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ],
    ])
    func rfcEqualURIs(texts: [String]) throws {
        let uris = try texts.map { try SIPURI(parsing: $0) }
        for a in uris {
            for b in uris {
                #expect(a == b, "\(a) should equal \(b)")
                #expect(a.isEquivalent(to: b))
                #expect(a.hashValue == b.hashValue)
            }
        }
    }

    @Test(arguments: [
        ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"),
    ])
    func rfcUnequalURIs(a: String, b: String) throws {
        let x = try SIPURI(parsing: a)
        let y = try SIPURI(parsing: b)
        #expect(x != y)
        #expect(y != x)
    }

    @Test(arguments: [
        ("sip:alice@example.com", "sips:alice@example.com", false),
        ("sip:alice:pw@example.com", "sip:alice:PW@example.com", false),
        ("sip:alice:p%77@example.com", "sip:alice:pw@example.com", true),
        ("sip:alice@example.com;user=phone", "sip:alice@example.com", false),
        ("sip:alice@example.com;ttl=1", "sip:alice@example.com", false),
        ("sip:alice@example.com;method=INVITE", "sip:alice@example.com", false),
        ("sip:alice@example.com;maddr=239.255.255.1", "sip:alice@example.com", false),
        ("sip:alice@example.com;LR", "sip:alice@example.com;lr", true),
        ("sip:alice@example.com;lr", "sip:alice@example.com;lr=on", false),
        ("sip:alice@[2001:DB8::1]", "sip:alice@[2001:db8::1]", true),
        ("sip:alice@example.com?a=b", "sip:alice@example.com?a=b&c=d", false),
        ("sip:alice@example.com?Subject=X", "sip:alice@example.com?subject=X", true),
        ("sip:alice@example.com?subject=X", "sip:alice@example.com?subject=x", false),
        ("sip:%41lice@example.com", "sip:Alice@example.com", true),
        ("tel:+1-201-555-0123", "tel:+12015550123", true),
        ("tel:+1-201-555-0123;phone-context=a", "tel:+12015550123", false),
        ("tel:+12015550123", "sip:+12015550123@example.com", false),
    ])
    func moreComparisons(a: String, b: String, equal: Bool) throws {
        let x = try SIPURI(parsing: a)
        let y = try SIPURI(parsing: b)
        #expect((x == y) == equal)
        #expect((y == x) == equal)
        if equal { #expect(x.hashValue == y.hashValue) }
    }

    @Test func usableAsDictionaryKey() throws {
        var bindings: [SIPURI: Int] = [:]
        bindings[try SIPURI(parsing: "sip:%61lice@atlanta.com;transport=TCP")] = 1
        bindings[try SIPURI(parsing: "sip:alice@AtLanTa.CoM;Transport=tcp")] = 2
        bindings[try SIPURI(parsing: "sips:alice@atlanta.com")] = 3
        #expect(bindings.count == 2)
        #expect(bindings[try SIPURI(parsing: "sip:alice@atlanta.com;transport=tcp;foo=bar")] == 2)
    }
}
