import Foundation
import SIPCore
import Testing

/// One raw message of `Fixtures/` and the outcome the parser must give for it.
///
/// The corpus is modeled on the categories of RFC 4475 (SIP torture tests) with messages written
/// for this project: folding, compact forms, escaped URIs, IPv6, odd-but-legal tokens, huge,
/// negative and mismatched Content-Length, missing and duplicate headers, NUL and non-UTF-8
/// bytes, garbage, wrong versions, bad CSeq, unterminated quotes, limits.
struct Fixture: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        /// Parses; the closure checks a few fields.
        case valid(@Sendable (SIPMessage) throws -> Void)
        /// Fails with this code, answerability, reason (substring) and status code to answer with.
        case invalid(SIPParseError.Code, answerable: Bool, reason: String, status: Int = 400)
    }

    let file: String
    let outcome: Outcome
    var testDescription: String { file }

    init(_ file: String, _ outcome: Outcome) {
        self.file = file
        self.outcome = outcome
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Fixture.directory.appendingPathComponent(file)))
    }
}

func request(_ message: SIPMessage) throws -> SIPRequest { try #require(message.request) }
func response(_ message: SIPMessage) throws -> SIPResponse { try #require(message.response) }

extension Fixture {
    static let corpus: [Fixture] = [
        // MARK: valid
        Fixture(
            "valid-folded-lines.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .options)
                #expect(try r.topVia.branch == "z9hG4bKfold1")
                #expect(try r.topVia.received == "192.0.2.33")
                #expect(try r.maxForwards == 68)
                #expect(try r.from.displayName == "Carol")
                #expect(try r.from.tag == "cf1")
                #expect(try r.cseq == SIPCSeq(sequence: 4, method: .options))
                #expect(r.headers[.subject] == "first, second, third")
                #expect(r.headers.count == 8)
            }),
        Fixture(
            "valid-all-compact-forms.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .notify)
                #expect(r.headers.filter { $0.rawName.count == 1 }.count == 17)
                #expect(r.callID == "compact-4c2f@notifier.example.net")
                #expect(try r.topVia.host == "notifier.example.net")
                #expect(try r.from.tag == "nf1")
                #expect(try r.to.tag == "wt1")
                #expect(try r.contacts().contacts.map(\.uri.host) == ["notifier.example.net"])
                #expect(try r.supported == ["eventlist"])
                #expect(r.headers[.subject] == "compact subject")
                #expect(try r.contentType?.matches(type: "text", subtype: "plain") == true)
                #expect(r.headers[.contentEncoding] == "identity")
                #expect(try r.event?.package == "presence")
                #expect(try r.event?.id == "9")
                #expect(try r.allowEvents == ["presence", "dialog"])
                #expect(r.headers[.referTo] == "<sip:refer@example.net>")
                #expect(r.headers[.referredBy] == "<sip:referrer@example.net>")
                #expect(r.headers[.sessionExpires] == "1800;refresher=uac")
                #expect(r.headers[.identity] == "c2lnbmF0dXJl")
                #expect(r.headers[.acceptContact]?.hasPrefix("*;+sip.instance=") == true)
                #expect(try r.subscriptionState?.expires == 600)
                #expect(try r.contentLength == 5)
                #expect(r.body == Array("hello".utf8))
            }),
        Fixture(
            "valid-escaped-request-uri.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.uri.user == "%61lice%20smith;ext=12/a&b~c")
                #expect(r.uri.unescapedUser == "alice smith;ext=12/a&b~c")
                #expect(r.uri.parameters.rawValue("user") == "phone")
                #expect(r.uri.parameters.rawValue("x%41") == "%42")
                #expect(try r.to.uri == r.uri)
                #expect(try r.from.uri.unescapedUser == "bob")
            }),
        Fixture(
            "valid-ipv6-everywhere.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.uri.host == "[2001:db8::1]")
                #expect(r.uri.isIPv6)
                let via = try r.topVia
                #expect(via.transport == "TCP")
                #expect(via.host == "[2001:db8::9:1]")
                #expect(via.port == 5070)
                #expect(via.received == "[2001:db8::9:255]")
                #expect(via.rport == .some(61000))
                let contact = try #require(try r.contacts().contacts.first)
                #expect(contact.uri.normalizedHost == "2001:db8::9:1")
                #expect(contact.uri.port == 5070)
                #expect(contact.expires == 120)
                let route = try #require(try r.routes().first)
                #expect(route.uri.port == 5080)
                #expect(route.uri.parameters.rawValue("maddr") == "[2001:db8::3]")
                #expect(r.callID == "v6-1@[2001:db8::9:1]")
            }),
        Fixture(
            "valid-odd-tokens.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method.rawValue == "X.Foo-Bar!baz%25_+`'~")
                #expect(try r.cseq.method == r.method)
                #expect(r.uri.user == "odd.user~!*'()&=+$,;?/_-")
                #expect(r.uri.host == "odd-host.example.org")
                #expect(r.uri.parameters.contains("x-flag"))
                #expect(r.uri.parameters.rawValue("p") == "[a]:b/c")
                #expect(try r.topVia.branch == "z9hG4bK.~!%*_+`'-x")
                #expect(try r.from.displayName == "tok~en `one' two+_*%!.-")
                #expect(try r.from.tag == "`'~!%*_+-.")
                #expect(try r.from.parameters.rawValue("x-p") == "~!%*")
                #expect(try r.to.displayName == #"quoted "bell" and \backslash"#)
                #expect(r.callID == #"!%*_+`'~-.()<>:\/"[]?{}@weird-host"#)
                #expect(r.headers["X-~!%*_+`'."] == "\u{2713} ok")
                #expect(try r.maxForwards == 1)
            }),
        Fixture(
            "valid-mixed-case.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.uri.scheme == .sip)
                #expect(r.uri.user == "Bob")
                #expect(try r.topVia.transport == "TCP")
                #expect(try r.topVia.branch == "z9hG4bKcase")
                #expect(try r.from.tag == "ct1")
                #expect(try r.to.uri == r.uri)
                #expect(r.callID == "CaseCall@Example")
                #expect(try r.cseq.sequence == 8)
                #expect(try r.maxForwards == 70)
                #expect(try r.contentLength == 0)
                #expect(r.headers.map { String($0.rawName) }.first == "vIA")
            }),
        Fixture(
            "valid-lws-around-separators.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .bye)
                let via = try r.topVia
                #expect(via.transport == "UDP")
                #expect(via.host == "192.0.2.7")
                #expect(via.port == 5060)
                #expect(via.branch == "z9hG4bKlws")
                #expect(via.rport == .some(nil))
                #expect(try r.maxForwards == 70)
                #expect(try r.from.displayName == "Alice")
                #expect(try r.from.tag == "lws1")
                #expect(try r.to.tag == "lws2")
                #expect(r.callID == "lws-call")
                #expect(try r.cseq == SIPCSeq(sequence: 2, method: .bye))
            }),
        Fixture(
            "valid-register-many-contacts.sip",
            .valid { m in
                let r = try request(m)
                let contacts = try r.contacts().contacts
                #expect(contacts.count == 5)
                #expect(
                    contacts.map(\.uri.host) == ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14"])
                #expect(contacts.map(\.address.displayName) == ["Desk, Main", nil, nil, "Quoted \"comma,\" name", nil])
                #expect(contacts.map(\.qThousandths) == [1000, 500, nil, nil, 0])
                #expect(contacts.map(\.expires) == [3600, nil, 60, nil, nil])
                #expect(contacts[3].instance == "urn:uuid:00000000-0000-1000-8000-0004f2aabbcc")
                #expect(contacts[3].instance.flatMap(SIPInstrumentID.fromInstance)?.value == "0004F2AABBCC")
                #expect(contacts[3].regID == 1)
                #expect(contacts[3].uri.transport == "tcp")
                #expect(contacts[4].pubGRUU == "sip:69@example.net;gr=x")
                #expect(contacts[4].uri.parameters.contains("ob"))
                #expect(try r.expires == 1800)
                #expect(try r.supported == ["path", "gruu", "outbound"])
            }),
        Fixture(
            "valid-register-wildcard.sip",
            .valid { m in
                let r = try request(m)
                #expect(try r.contacts() == .wildcard)
                #expect(try r.expires == 0)
            }),
        Fixture(
            "valid-message-body.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.body == Array("Watson, come here.\r\nI want".utf8))
                #expect(try r.contentType?.parameters.value("charset") == "UTF-8")
            }),
        Fixture(
            "valid-datagram-extra-bytes.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.body == Array("ping".utf8))
            }),
        Fixture(
            "valid-no-content-length-datagram.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.body == Array("the rest of the datagram".utf8))
                #expect(try r.contentLength == nil)
            }),
        Fixture(
            "valid-response-record-route.sip",
            .valid { m in
                let r = try response(m)
                #expect(r.statusCode == 200)
                #expect(r.reasonPhrase == "OK")
                let vias = try r.vias()
                #expect(vias.map(\.host) == ["proxy2.example.net", "proxy1.example.net", "client.example.com"])
                #expect(vias[2].rport == .some(5062))
                #expect(vias[2].received == "198.51.100.9")
                #expect(try r.recordRoutes().map(\.uri.host) == ["proxy2.example.net", "proxy1.example.net"])
                #expect(try r.from.displayName == "Alice")
                #expect(try r.to.tag == "r2")
                #expect(try r.cseq == SIPCSeq(sequence: 314_159, method: .invite))
            }),
        Fixture(
            "valid-authorization-escapes.sip",
            .valid { m in
                let auth = try #require(try request(m).authorizations().first)
                #expect(auth.username == "69/00:04:f2:aa:bb:cc")
                let name = SIPAuthUsername(try #require(auth.username))
                #expect(name.user == "69")
                #expect(name.instrument?.value == "0004F2AABBCC")
                #expect(auth.nonce == #"n"o\nce,x"#)
                #expect(auth.cnonce == "c,n")
                #expect(auth.nonceCount == "00000002")
                #expect(auth.qop == "auth")
                #expect(auth.response == "0123456789abcdef0123456789abcdef")
                #expect(auth.parameters.count == 9)
            }),
        Fixture(
            "valid-www-authenticate.sip",
            .valid { m in
                let r = try response(m)
                #expect(r.statusCode == 401)
                let challenges = try r.wwwAuthenticates()
                #expect(challenges.count == 2)
                #expect(challenges[0].qop == "auth,auth-int")
                #expect(challenges[0].opaque == "")
                #expect(!challenges[0].stale)
                #expect(challenges[0].nonce == "ea9c8e88df84f1cec4341ae6cbe5a359")
                #expect(challenges[1].algorithm == "SHA-256")
                let proxy = try #require(try r.proxyAuthenticates().first)
                #expect(proxy.stale)
                #expect(proxy.realm == "proxy.example.net")
            }),
        Fixture(
            "valid-subscribe-event.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .subscribe)
                #expect(r.uri.user == "~~in~0000deadbeef")
                #expect(try r.event?.package == "http-monitor")
                #expect(try r.event?.id == "abc")
                #expect(try r.allowEvents == ["http-monitor", "reg"])
                #expect(try r.expires == 3600)
                #expect(try r.contacts().contacts.first?.uri.scheme == .sips)
                #expect(try r.topVia.transport == "TLS")
                #expect(try r.topVia.port == 5061)
            }),
        Fixture(
            "valid-notify-terminated.sip",
            .valid { m in
                let r = try request(m)
                let state = try #require(try r.subscriptionState)
                #expect(state.state == "terminated")
                #expect(state.reason == "timeout")
                #expect(state.retryAfter == 30)
                #expect(try r.event?.id == "abc")
                #expect(r.uri.transport == "tls")
                #expect(r.body == Array("HTTP/1.1 200 OK\r\n".utf8))
            }),
        Fixture(
            "valid-leading-crlf.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .options)
                #expect(r.callID == "leading-crlf")
                #expect(Array(r.serialized().prefix(7)) == Array("OPTIONS".utf8))
            }),
        Fixture(
            "valid-unknown-headers.sip",
            .valid { m in
                let r = try request(m)
                #expect(
                    r.headers.map { String($0.rawName) } == [
                        "Via", "X-Zeta", "Max-Forwards", "P-Preferred-Identity", "From", "X-Alpha", "To", "X-Alpha",
                        "Call-ID",
                        "Foo-Bar-Baz", "CSeq", "Z", "Content-Length",
                    ])
                #expect(r.headers["x-zeta"] == "last   letter")
                #expect(r.headers["Foo-Bar-Baz"] == "")
                #expect(try r.headers.values("X-Alpha") == ["1", "2", "3"])
                #expect(r.headers["z"] == "compact-looking unknown")
                #expect(r.headers.first("Z")?.name != .subject)
                #expect(r.serialized() == wireBytes("valid-unknown-headers.sip"))
            }),
        Fixture(
            "valid-utf8-reason-phrase.sip",
            .valid { m in
                let r = try response(m)
                #expect(r.statusCode == 603)
                #expect(r.reasonPhrase == "Tr\u{E8}s occup\u{E9} \u{260E}")
            }),
        Fixture(
            "valid-tel-uri.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.uri.scheme == .tel)
                #expect(r.uri.user == "+1-201-555-0123")
                #expect(r.uri.parameters.rawValue("phone-context") == "example.net")
                #expect(try r.to.uri == r.uri)
                #expect(try r.from.uri == SIPURI(parsing: "tel:+1-201-555-0100"))
            }),
        Fixture(
            "valid-sips-password-headers.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.method == .refer)
                #expect(r.uri.scheme == .sips)
                #expect(r.uri.user == "bob")
                #expect(r.uri.password == "pa%24%24word")
                #expect(r.uri.port == 5061)
                #expect(r.uri.transport == "tls")
                #expect(try r.to.uri != r.uri)  // transport present in only one
                let referTo = try SIPNameAddress(parsing: try #require(r.headers[.referTo]))
                #expect(
                    referTo.uri.headers == [
                        .init(name: "Replaces", value: "abc%40def%3Bto-tag%3D1"),
                        .init(name: "Subject", value: "hi%20there"),
                    ])
                #expect(SIPURI.unescape(referTo.uri.headers[0].value) == "abc@def;to-tag=1")
            }),
        Fixture(
            "valid-max-forwards-zero.sip",
            .valid { m in
                let r = try request(m)
                #expect(try r.maxForwards == 0)
                #expect(try r.cseq.sequence == 2_147_483_647)
            }),
        Fixture(
            "valid-empty-reason-phrase.sip",
            .valid { m in
                let r = try response(m)
                #expect(r.statusCode == 100)
                #expect(r.reasonPhrase == "")
                #expect(r.isProvisional)
            }),
        Fixture(
            "valid-display-name-escapes.sip",
            .valid { m in
                let r = try request(m)
                #expect(try r.from.displayName == #""Joe" \ <Smith>, Jr."#)
                #expect(try r.from.uri.user == "joe")
                #expect(try r.to.displayName == "")
            }),
        Fixture(
            "valid-many-vias.sip",
            .valid { m in
                let r = try response(m)
                let vias = try r.vias()
                #expect(vias.count == 40)
                #expect(vias.first?.host == "hop0.example.net")
                #expect(vias.last?.branch == "z9hG4bKhop39")
            }),
        Fixture(
            "valid-binary-body.sip",
            .valid { m in
                let r = try request(m)
                #expect(r.body == [0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A] + Array("SIP/2.0".utf8) + [0x00, 0x80])
            }),
        Fixture(
            "valid-unterminated-quote-in-from.sip",
            .valid { m in
                // The message core is parsed; the broken From is reported by its accessor.
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.from }
                #expect(error.code == .invalidHeaderValue)
                #expect(error.reason.hasPrefix("invalid From:"))
                #expect(try r.to.uri.host == "example.net")
            }),
        Fixture(
            "valid-bad-contact-accessor.sip",
            .valid { m in
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.contacts() }
                #expect(error.code == .invalidHeaderValue)
            }),

        Fixture(
            "valid-escaped-nul-in-quotes.sip",
            .valid { m in
                // quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F): an escaped NUL is legal (RFC 3261 §25.1).
                let r = try request(m)
                let from = try r.from
                #expect(from.displayName == "Nul \u{0} here")
                #expect(from.parameters.value("x") == "a\u{0}b")
                #expect(from.tag == "1")
                #expect(try r.to.displayName == "\u{0}")
            }),
        Fixture(
            "valid-from-nested-angle-brackets.sip",
            .valid { m in
                // The server parses From once per request and answers 400 when it throws.
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.from }
                #expect(error.code == .invalidHeaderValue && error.statusCode == 400)
                #expect(error.reason == "invalid From: nested or repeated angle brackets")
            }),
        Fixture(
            "valid-from-deep-nesting.sip",
            .valid { m in
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.from }
                #expect(error.code == .limitExceeded && error.statusCode == 400)
                #expect(error.reason == "invalid From: angle brackets nested too deeply")
            }),
        Fixture(
            "valid-from-empty-user.sip",
            .valid { m in
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.from }
                #expect(error.code == .invalidURI && error.statusCode == 400)
                #expect(error.reason == "invalid From: empty user in URI")
            }),
        Fixture(
            "valid-to-duplicate-tag.sip",
            .valid { m in
                let r = try request(m)
                let error = try #require(throws: SIPParseError.self) { try r.to }
                #expect(error.code == .invalidHeaderValue && error.statusCode == 400)
                #expect(error.reason == "invalid To: more than one tag parameter")
                #expect(try r.from.tag == "1")
            }),

        // MARK: invalid
        Fixture(
            "invalid-missing-from.sip", .invalid(.missingHeader, answerable: true, reason: "missing From")),
        Fixture(
            "invalid-missing-cseq.sip", .invalid(.missingHeader, answerable: true, reason: "missing CSeq")),
        Fixture(
            "invalid-cseq-non-numeric.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "invalid CSeq number")),
        Fixture(
            "invalid-request-line-extra-spaces.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "extra white space in the request line")),
        Fixture(
            "invalid-request-line-leading-space.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "white space before the request line")),
        Fixture(
            "invalid-request-line-trailing-space.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "white space at the end of the request line")),
        Fixture(
            "invalid-request-uri-white-space.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "white space in the Request-URI")),
        Fixture(
            "invalid-via-version-7.sip",
            .invalid(.unsupportedVersion, answerable: true, reason: "SIP-Version in Via not supported", status: 505)),
        Fixture(
            "invalid-unescaped-nul-in-quotes.sip",
            .invalid(.invalidEncoding, answerable: true, reason: "NUL byte in header section")),
        Fixture("invalid-missing-call-id.sip", .invalid(.missingHeader, answerable: true, reason: "missing Call-ID")),
        Fixture("invalid-missing-via.sip", .invalid(.missingHeader, answerable: false, reason: "missing Via")),
        Fixture("invalid-missing-to.sip", .invalid(.missingHeader, answerable: true, reason: "missing To")),
        Fixture(
            "invalid-cseq-method-mismatch.sip",
            .invalid(
                .cseqMethodMismatch, answerable: true,
                reason: "CSeq method INVITE does not match request method REGISTER")),
        Fixture(
            "invalid-content-length-exceeds.sip",
            .invalid(.truncatedBody, answerable: true, reason: "Content-Length 500 exceeds 120 available bytes")),
        Fixture(
            "invalid-negative-content-length.sip",
            .invalid(.invalidContentLength, answerable: true, reason: "invalid Content-Length")),
        Fixture(
            "invalid-huge-content-length.sip",
            .invalid(.invalidContentLength, answerable: true, reason: "invalid Content-Length")),
        Fixture(
            "invalid-duplicate-content-length.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "more than one Content-Length header")),
        Fixture(
            "invalid-non-numeric-content-length.sip",
            .invalid(.invalidContentLength, answerable: true, reason: "invalid Content-Length")),
        Fixture(
            "invalid-version-7.sip",
            .invalid(.unsupportedVersion, answerable: true, reason: "SIP-Version not supported", status: 505)),
        Fixture(
            "invalid-response-version.sip",
            .invalid(.unsupportedVersion, answerable: false, reason: "SIP-Version not supported", status: 505)),
        Fixture(
            "invalid-cseq-negative.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "invalid CSeq number")),
        Fixture(
            "invalid-cseq-too-large.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "invalid CSeq number")),
        Fixture(
            "invalid-duplicate-from.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "more than one From header")),
        Fixture(
            "invalid-duplicate-call-id.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "more than one Call-ID header")),
        Fixture(
            "invalid-duplicate-max-forwards.sip",
            .invalid(.invalidHeaderValue, answerable: true, reason: "more than one Max-Forwards header")),
        Fixture(
            "invalid-nul-in-header.sip",
            .invalid(.invalidEncoding, answerable: true, reason: "NUL byte in header section")),
        Fixture(
            "invalid-latin1-header.sip",
            .invalid(.invalidEncoding, answerable: true, reason: "header section is not valid UTF-8")),
        Fixture(
            "invalid-garbage.sip", .invalid(.malformedStartLine, answerable: false, reason: "malformed request line")),
        Fixture(
            "invalid-no-blank-line.sip",
            .invalid(.malformedHeader, answerable: true, reason: "no empty line after the header section")),
        Fixture(
            "invalid-header-without-colon.sip",
            .invalid(.malformedHeader, answerable: true, reason: "malformed header line 4")),
        Fixture(
            "invalid-unsupported-scheme.sip",
            .invalid(.unsupportedURIScheme, answerable: true, reason: "unsupported URI scheme", status: 416)),
        Fixture(
            "invalid-request-uri-ipv6.sip",
            .invalid(.invalidURI, answerable: true, reason: "invalid Request-URI: unterminated IPv6 reference")),
        Fixture(
            "invalid-request-uri-escape.sip",
            .invalid(.invalidURI, answerable: true, reason: "invalid Request-URI: invalid escape in URI user")),
        Fixture(
            "invalid-max-forwards.sip", .invalid(.invalidHeaderValue, answerable: true, reason: "invalid Max-Forwards")),
        Fixture("invalid-empty-call-id.sip", .invalid(.invalidHeaderValue, answerable: true, reason: "empty Call-ID")),
        Fixture(
            "invalid-status-code.sip",
            .invalid(.malformedStartLine, answerable: false, reason: "status code out of range")),
        Fixture(
            "invalid-request-line-no-version.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "missing SIP-Version")),
        Fixture(
            "invalid-space-in-method.sip",
            .invalid(.malformedStartLine, answerable: true, reason: "malformed request line")),
        Fixture("invalid-only-crlf.sip", .invalid(.emptyMessage, answerable: false, reason: "empty message")),
        Fixture(
            "invalid-broken-via-mismatch.sip",
            .invalid(
                .cseqMethodMismatch, answerable: false,
                reason: "CSeq method INVITE does not match request method REGISTER")),
        Fixture(
            "invalid-long-header-line.sip",
            .invalid(.limitExceeded, answerable: true, reason: "header line 8 longer than 8192 bytes")),
        Fixture(
            "invalid-too-many-headers.sip",
            .invalid(.limitExceeded, answerable: false, reason: "more than 256 header fields")),
    ]
}

/// The raw bytes of a fixture (an issue and no bytes when it cannot be read).
func wireBytes(_ file: String) -> [UInt8] {
    do {
        return try Fixture(file, .invalid(.emptyMessage, answerable: false, reason: "")).bytes()
    } catch {
        Issue.record("cannot read fixture \(file): \(error)")
        return []
    }
}

@Suite struct FixtureCorpusTests {
    @Test func everyFileHasAnOutcomeAndEveryOutcomeAFile() throws {
        // Subdirectories (rfc4475/) have tables of their own.
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path).filter {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(
                atPath: Fixture.directory.appendingPathComponent($0).path, isDirectory: &isDirectory)
            return !$0.hasPrefix(".") && !isDirectory.boolValue
        }
        let names = Fixture.corpus.map(\.file)
        #expect(Set(names).count == names.count, "duplicate entries in the table")
        #expect(
            Set(files) == Set(names),
            "files without outcome: \(Set(files).subtracting(names)); outcomes without file: \(Set(names).subtracting(files))"
        )
        #expect(files.count >= 40)
        let valid = Fixture.corpus.filter { if case .valid = $0.outcome { true } else { false } }
        #expect(valid.count >= 15 && Fixture.corpus.count - valid.count >= 15)
    }

    @Test func everyFixtureUsesCRLFLineEnds() throws {
        for fixture in Fixture.corpus where fixture.file != "invalid-garbage.sip" {
            let bytes = try fixture.bytes()
            var previous: UInt8 = 0
            var bareLF = false
            for byte in bytes.prefix(headerSectionLength(bytes)) {
                if byte == 0x0A && previous != 0x0D { bareLF = true }
                previous = byte
            }
            #expect(!bareLF, "\(fixture.file) has a bare LF in its header section")
        }
    }

    @Test(arguments: Fixture.corpus)
    func fixture(_ fixture: Fixture) throws {
        let bytes = try fixture.bytes()
        #expect(!bytes.isEmpty)
        let parser = SIPMessageParser()
        switch fixture.outcome {
        case .valid(let check):
            let message: SIPMessage
            do { message = try parser.parse(bytes) } catch {
                Issue.record("\(fixture.file): unexpected \(error.code): \(error.reason)")
                return
            }
            try check(message)
            // Round trip: what is written parses back to an equal message.
            let again = try parser.parse(message.serialized())
            #expect(again == message)
        case .invalid(let code, let answerable, let reason, let status):
            let error = try #require(throws: SIPParseError.self) { try parser.parse(bytes) }
            #expect(error.code == code, "\(error.reason)")
            #expect(error.statusCode == status)
            #expect(error.isAnswerable == answerable)
            #expect(error.reason.contains(reason), "reason was: \(error.reason)")
            if let reply = error.replyHeaders {
                let answer = SIPResponse(
                    answering: reply, statusCode: error.statusCode, reasonPhrase: error.reason, toTag: "fx")
                let lines = headLines(answer.serialized())
                #expect(lines.first == "SIP/2.0 \(error.statusCode) \(error.reason)")
                #expect(
                    answer.callID == reply.fields.first { $0.name == .callID }.map { $0.value.trimmingSIPWhitespace() })
                #expect(answer.headers.map(\.name) == reply.fields.map(\.name) + [.contentLength])
            }
        }
    }
}

/// Length of the header section including its empty line (or the whole input).
func headerSectionLength(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i + 3 < bytes.count {
        if bytes[i] == 0x0D, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A { return i + 4 }
        i += 1
    }
    return bytes.count
}

extension Substring {
    /// The text without leading and trailing SP/HTAB.
    func trimmingSIPWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
