import Foundation
import SIPCore
import Testing

/// The torture messages of RFC 4475 (§3.1.1 valid, §3.1.2 invalid, §3.2, §3.3, §3.4) and what
/// the parser makes of each.
///
/// `Fixtures/rfc4475/*.dat` are the files of the RFC's base64 tarball (§4), byte for byte: CRLF
/// line ends, the raw BEL/NUL/DEL of `intmeth.dat`, the binary body of `mpart01.dat`. Messages
/// that are syntactically valid but semantically wrong parse; the typed accessor that reads the
/// broken header throws, and a server answers from that (RFC 4475 §1).
struct TortureCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        /// Parses; the closure checks fields and accessors.
        case parses(@Sendable (SIPMessage) throws -> Void)
        /// Fails at the parser with this code and status; answerable or not; reason (substring).
        case fails(SIPParseError.Code, status: Int, answerable: Bool, reason: String)
    }

    let section: String
    let file: String
    let outcome: Outcome
    var testDescription: String { "RFC 4475 §\(section) \(file)" }

    init(_ section: String, _ file: String, _ outcome: Outcome) {
        self.section = section
        self.file = file
        self.outcome = outcome
    }

    static let directory = Fixture.directory.appendingPathComponent("rfc4475")

    func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TortureCase.directory.appendingPathComponent(file)))
    }
}

/// Checks that `accessor` throws a ``SIPParseError`` with `code` (and `status`).
func expectAccessorThrows<T>(
    _ code: SIPParseError.Code, status: Int = 400, _ accessor: () throws(SIPParseError) -> T,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let value = try accessor()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(error.reason)", sourceLocation: sourceLocation)
        #expect(error.statusCode == status, sourceLocation: sourceLocation)
    }
}

extension TortureCase {
    static let all: [TortureCase] = [
        // MARK: §3.1.1 valid messages
        TortureCase(
            "3.1.1.1", "wsinv.dat",
            .parses { m in
                let r = try request(m)
                #expect(r.method == .invite)
                #expect(r.uri.user == "vivekg" && r.uri.host == "chair-dnrc.example.com")
                #expect(r.uri.parameters.contains("unknownparam"))
                let to = try r.to
                #expect(to.uri.user == "vivekg" && to.tag == "1918181833n")
                let from = try r.from
                #expect(from.displayName == #"J Rosenberg \""#)
                #expect(from.tag == "98asjd8")
                #expect(try r.maxForwards == 68)
                #expect(r.callID == "wsinv.ndaksdj@192.0.2.1")
                #expect(try r.contentLength == 150)
                #expect(try r.cseq == SIPCSeq(sequence: 9, method: .invite))
                let vias = try r.vias()
                #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
                #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
                #expect(vias.map(\.branch) == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"])
                #expect(r.headers[.subject] == "")
                #expect(r.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
                #expect(r.headers["UnknownHeaderWithUnusualValue"] == ";;,,;;,;")
                let contact = try #require(try r.contacts().contacts.first)
                #expect(contact.address.displayName == #"Quoted string """#)
                #expect(contact.parameters.rawValue("newparam") == "newvalue")
                #expect(contact.parameters.contains("secondparam"))
                #expect(contact.qThousandths == 330)
                #expect(try r.routes().first?.uri.parameters.contains("unknown-no-value") == true)
                #expect(r.body.count == 150)
            }),
        TortureCase(
            "3.1.1.2", "intmeth.dat",
            .parses { m in
                // The To display name holds backslash-escaped BEL, NUL and DEL (RFC 3261 §25.1 quoted-pair).
                let r = try request(m)
                #expect(r.method.rawValue == "!interesting-Method0123456789_*+`.%indeed'~")
                #expect(try r.cseq == SIPCSeq(sequence: 139_122_385, method: r.method))
                #expect(r.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
                #expect(r.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
                #expect(r.uri.host == "example.com")
                let to = try r.to
                #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
                #expect(to.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
                let from = try r.from
                #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
                let working = "\u{440}\u{430}\u{431}\u{43E}\u{442}\u{430}\u{44E}\u{449}\u{438}\u{439}"
                #expect(from.parameters.value("fromParam''~+*_!.-%") == working)
                #expect(from.tag == "_token~1'+`*%!-.")
                #expect(r.callID == #"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#)
                #expect(try r.maxForwards == 255)
                #expect(try r.topVia.branch == "z9hG4bK-.!%66*_+`'~")
                #expect(r.headers["extensionHeader-!.%*+_`'~"] == "\u{FEFF}\u{5927}\u{505C}\u{96FB}")
            }),
        TortureCase(
            "3.1.1.3", "esc01.dat",
            .parses { m in
                let r = try request(m)
                #expect(r.uri.unescapedUser == "sips:user@example.com")
                #expect(r.uri.host == "example.net")
                #expect(try r.to.uri.unescapedUser == "user")
                #expect(try r.from.uri.unescapedUser == "I have spaces")
                let contact = try #require(try r.contacts().contacts.first)
                #expect(contact.uri.unescapedUser == "caller")
                // ;%6C%72;n%61me=v%61lue%25%34%31 is ;lr;name=value%41 written with escapes.
                let parameters = contact.uri.parameters.elements
                #expect(parameters.map { SIPURI.unescape($0.name) } == ["lr", "name"])
                #expect(parameters.map { $0.value.map(SIPURI.unescape) } == [nil, "value%41"])
            }),
        TortureCase(
            "3.1.1.4", "escnull.dat",
            .parses { m in
                let r = try request(m)
                #expect(try r.to.uri.unescapedUser == "null-\u{0}-null")
                #expect(try r.from.uri == r.to.uri)
                #expect(try r.contacts().contacts.map(\.uri.unescapedUser) == ["\u{0}", "\u{0}\u{0}"])
            }),
        TortureCase(
            "3.1.1.5", "esc02.dat",
            .parses { m in
                // %47 in a method is not an escape: this is not REGISTER.
                let r = try request(m)
                #expect(r.method.rawValue == "RE%47IST%45R" && r.method != .register)
                #expect(try r.cseq.method == r.method)
                #expect(try r.to.displayName == "%Z%45")
                #expect(try r.topVia.branch == "z9hG4bK209%fzsnel234")
                #expect(try r.contacts().contacts.map(\.uri.host) == ["host1.example.com", "host3.example.com"])
                #expect(r.headers["C%6Fntact"] == "<sip:alias2@host2.example.com>")
            }),
        TortureCase(
            "3.1.1.6", "lwsdisp.dat",
            .parses { m in
                let from = try request(m).from
                #expect(from.displayName == "caller")
                #expect(from.uri.user == "caller" && from.tag == "323")
            }),
        TortureCase(
            "3.1.1.7", "longreq.dat",
            .parses { m in
                let r = try request(m)
                let to = try r.to
                #expect(to.displayName?.hasSuffix("extreme proportion") == true)
                #expect(to.uri.port == 6000)
                #expect(to.uri.parameters.count == 3)
                let from = try r.from
                #expect(from.uri.user?.utf8.count == 115)
                #expect(from.tag?.hasPrefix("1298298298") == true)
                #expect(r.callID?.hasSuffix("reallylongcallid") == true)
                let vias = try r.vias()
                #expect(vias.count == 34)
                #expect(vias.first?.host == "sip33.example.com")
                #expect(vias.last?.received == "192.0.2.5")
                #expect(vias.last?.branch?.hasSuffix("longbranchvalue") == true)
                #expect(r.body.count == 150)
            }),
        TortureCase(
            "3.1.1.8", "dblreq.dat",
            .parses { m in
                // Over UDP, the octets after Content-Length are discarded (RFC 3261 §18.3).
                let r = try request(m)
                #expect(r.method == .register)
                #expect(r.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
                #expect(r.body.isEmpty)
            }),
        TortureCase(
            "3.1.1.9", "semiuri.dat",
            .parses { m in
                let r = try request(m)
                #expect(r.uri.user == "user;par=u%40example.net")
                #expect(r.uri.host == "example.com")
                #expect(r.uri.parameters.isEmpty)
            }),
        TortureCase(
            "3.1.1.10", "transports.dat",
            .parses { m in
                let vias = try request(m).vias()
                #expect(vias.map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
            }),
        TortureCase(
            "3.1.1.11", "mpart01.dat",
            .parses { m in
                let r = try request(m)
                #expect(r.method == .message)
                #expect(try r.contentType?.parameters.value("boundary") == "7a9cbec02ceef655")
                #expect(r.body.count == 553)
                #expect(r.body.contains(0))
            }),
        TortureCase(
            "3.1.1.12", "unreason.dat",
            .parses { m in
                let r = try response(m)
                #expect(r.statusCode == 200)
                #expect(r.reasonPhrase.hasPrefix("= 2**3 * 5**2 \u{43D}\u{43E}"))
                #expect(r.body.count == 154)
            }),
        TortureCase(
            "3.1.1.13", "noreason.dat",
            .parses { m in
                let r = try response(m)
                #expect(r.statusCode == 100 && r.reasonPhrase == "")
            }),

        // MARK: §3.1.2 invalid messages
        TortureCase(
            "3.1.2.1", "badinv01.dat",
            .parses { m in
                // Empty Via and Contact parameters: the accessors refuse them.
                let r = try request(m)
                expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.topVia }
                expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.contacts() }
            }),
        TortureCase(
            "3.1.2.2", "clerr.dat",
            .fails(.truncatedBody, status: 400, answerable: true, reason: "Content-Length 9999 exceeds")),
        TortureCase(
            "3.1.2.3", "ncl.dat",
            .fails(.invalidContentLength, status: 400, answerable: true, reason: "Content-Length")),
        TortureCase(
            "3.1.2.4", "scalar02.dat",
            .fails(.invalidHeaderValue, status: 400, answerable: true, reason: "invalid CSeq")),
        TortureCase(
            "3.1.2.5", "scalarlg.dat",
            .fails(.invalidHeaderValue, status: 400, answerable: false, reason: "invalid CSeq")),
        TortureCase(
            "3.1.2.6", "quotbal.dat",
            .parses { m in
                let r = try request(m)
                expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.to }
                #expect(try r.from.tag == "93334")
            }),
        TortureCase(
            "3.1.2.7", "ltgtruri.dat",
            .fails(.invalidURI, status: 400, answerable: true, reason: "invalid Request-URI")),
        TortureCase(
            "3.1.2.8", "lwsruri.dat",
            .fails(.malformedStartLine, status: 400, answerable: true, reason: "white space in the Request-URI")),
        TortureCase(
            "3.1.2.9", "lwsstart.dat",
            .fails(
                .malformedStartLine, status: 400, answerable: true, reason: "extra white space in the request line")),
        TortureCase(
            "3.1.2.10", "trws.dat",
            .fails(
                .malformedStartLine, status: 400, answerable: true,
                reason: "white space at the end of the request line")),
        TortureCase(
            "3.1.2.11", "escruri.dat",
            .fails(.invalidURI, status: 400, answerable: true, reason: "invalid Request-URI: headers not allowed")),
        TortureCase(
            "3.1.2.12", "baddate.dat",
            .parses { m in
                // A Date in EST is wrong but harmless; a proxy forwards it as it is.
                let r = try request(m)
                #expect(r.headers[.date] == "Fri, 01 Jan 2010 16:00:00 EST")
            }),
        TortureCase(
            "3.1.2.13", "regbadct.dat",
            .parses { m in
                let r = try request(m)
                expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.contacts() }
            }),
        TortureCase(
            "3.1.2.14", "badaspec.dat",
            .parses { m in
                let r = try request(m)
                expectAccessorThrows(.invalidURI) { () throws(SIPParseError) in try r.to }
                #expect(try r.from.displayName == "Bell, Alexander")
            }),
        TortureCase(
            "3.1.2.15", "baddn.dat",
            // The tarball's file ends without the empty line (see badDisplayNameWithEmptyLine).
            .fails(.malformedHeader, status: 400, answerable: true, reason: "no empty line after the header section")),
        TortureCase(
            "3.1.2.16", "badvers.dat",
            .fails(.unsupportedVersion, status: 505, answerable: true, reason: "SIP-Version not supported")),
        TortureCase(
            "3.1.2.17", "mismatch01.dat",
            .fails(.cseqMethodMismatch, status: 400, answerable: true, reason: "CSeq method INVITE does not match")),
        TortureCase(
            "3.1.2.18", "mismatch02.dat",
            .fails(.cseqMethodMismatch, status: 400, answerable: true, reason: "request method NEWMETHOD")),
        TortureCase(
            "3.1.2.19", "bigcode.dat",
            .fails(.malformedStartLine, status: 400, answerable: false, reason: "malformed status line")),

        // MARK: §3.2 transaction layer semantics
        TortureCase(
            "3.2.1", "badbranch.dat",
            .parses { m in
                // The magic cookie and nothing else: legal syntax; the transaction layer decides.
                let r = try request(m)
                #expect(try r.topVia.branch == "z9hG4bK")
            }),

        // MARK: §3.3 application layer semantics
        TortureCase(
            "3.3.1", "insuf.dat", .fails(.missingHeader, status: 400, answerable: true, reason: "missing From")),
        TortureCase(
            "3.3.2", "unkscm.dat",
            .fails(.unsupportedURIScheme, status: 416, answerable: true, reason: "unsupported URI scheme")),
        TortureCase(
            "3.3.3", "novelsc.dat",
            .fails(.unsupportedURIScheme, status: 416, answerable: true, reason: "unsupported URI scheme")),
        TortureCase(
            "3.3.4", "unksm2.dat",
            .parses { m in
                let r = try request(m)
                expectAccessorThrows(.unsupportedURIScheme, status: 416) { () throws(SIPParseError) in try r.to }
                expectAccessorThrows(.unsupportedURIScheme, status: 416) { () throws(SIPParseError) in try r.from }
                expectAccessorThrows(.unsupportedURIScheme, status: 416) { () throws(SIPParseError) in
                    try r.contacts()
                }
            }),
        TortureCase(
            "3.3.5", "bext01.dat",
            .parses { m in
                let r = try request(m)
                #expect(try r.require == ["nothingSupportsThis", "nothingSupportsThisEither"])
                #expect(try r.proxyRequire == ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"])
            }),
        TortureCase(
            "3.3.6", "invut.dat",
            .parses { m in
                let r = try request(m)
                #expect(try r.contentType?.matches(type: "application", subtype: "unknownformat") == true)
            }),
        TortureCase(
            "3.3.7", "regaut01.dat",
            .parses { m in
                let auth = try #require(try request(m).authorizations().first)
                #expect(auth.scheme == "NoOneKnowsThisScheme" && !auth.isDigest)
            }),
        TortureCase(
            "3.3.8", "multi01.dat",
            .fails(.invalidHeaderValue, status: 400, answerable: true, reason: "more than one From header")),
        TortureCase(
            "3.3.9", "mcl01.dat",
            .fails(.invalidHeaderValue, status: 400, answerable: true, reason: "more than one Content-Length header")),
        TortureCase(
            "3.3.10", "bcast.dat",
            .parses { m in
                let r = try response(m)
                #expect(try r.vias().map(\.host) == ["192.0.2.198", "255.255.255.255"])
            }),
        TortureCase(
            "3.3.11", "zeromf.dat",
            .parses { m in
                let r = try request(m)
                #expect(try r.maxForwards == 0)
            }),
        TortureCase(
            "3.3.12", "cparam01.dat",
            .parses { m in
                // Without angle brackets the parameter belongs to the Contact, not to the URI.
                let contact = try #require(try request(m).contacts().contacts.first)
                #expect(contact.uri.parameters.isEmpty)
                #expect(contact.parameters.contains("unknownparam"))
            }),
        TortureCase(
            "3.3.13", "cparam02.dat",
            .parses { m in
                let contact = try #require(try request(m).contacts().contacts.first)
                #expect(contact.uri.parameters.contains("unknownparam"))
                #expect(contact.parameters.isEmpty)
            }),
        TortureCase(
            "3.3.14", "regescrt.dat",
            .parses { m in
                let contact = try #require(try request(m).contacts().contacts.first)
                #expect(contact.uri.headers == [.init(name: "Route", value: "%3Csip:sip.example.com%3E")])
            }),
        TortureCase(
            "3.3.15", "sdp01.dat",
            .parses { m in
                let r = try request(m)
                #expect(r.headers[.accept] == "text/nobodyKnowsThis")
            }),

        // MARK: §3.4 backward compatibility
        TortureCase(
            "3.4.1", "inv2543.dat",
            .parses { m in
                // RFC 2543 style: no branch, no From tag, no Max-Forwards, no Content-Length (UDP).
                let r = try request(m)
                let via = try r.topVia
                #expect(via.branch == nil && !via.hasRFC3261Branch)
                #expect(try r.from.tag == nil)
                #expect(try r.maxForwards == nil)
                #expect(try r.contentLength == nil)
                #expect(r.body.count == 105)
            }),
    ]
}

@Suite struct RFC4475Tests {
    @Test func everyFileHasACase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TortureCase.directory.path)
        let names = TortureCase.all.map(\.file)
        #expect(Set(names).count == names.count)
        #expect(Set(files) == Set(names))
        #expect(names.count == 49)
    }

    @Test(arguments: TortureCase.all)
    func torture(_ torture: TortureCase) throws {
        let bytes = try torture.bytes()
        let parser = SIPMessageParser()
        switch torture.outcome {
        case .parses(let check):
            let message: SIPMessage
            do { message = try parser.parse(bytes) } catch {
                Issue.record("\(torture.file): unexpected \(error.code): \(error.reason)")
                return
            }
            try check(message)
            #expect(try parser.parse(message.serialized()) == message)
        case .fails(let code, let status, let answerable, let reason):
            let error = try #require(throws: SIPParseError.self) { try parser.parse(bytes) }
            #expect(error.code == code, "\(error.reason)")
            #expect(error.statusCode == status)
            #expect(error.isAnswerable == answerable)
            #expect(error.reason.contains(reason), "reason was: \(error.reason)")
            if let reply = error.replyHeaders {
                // The answer copies every Via line, so it can be routed back.
                let answer = SIPResponse(
                    answering: reply, statusCode: error.statusCode, reasonPhrase: error.reason, toTag: "t")
                #expect(answer.statusCode == status)
                #expect(reply.fields.contains { $0.name == .via })
                #expect(answer.headers.all(.via) == reply.fields.filter { $0.name == .via })
            }
        }
    }

    @Test func badDisplayNameWithEmptyLine() throws {
        // RFC 4475 §3.1.2.15 as printed in the RFC, with the empty line that ends the header
        // section: it parses, and From and To, whose display names are not tokens, are refused.
        let bytes = try TortureCase("3.1.2.15", "baddn.dat", .parses { _ in }).bytes() + Array("\r\n".utf8)
        let r = try #require(parseOK(bytes)?.request)
        expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.from }
        expectAccessorThrows(.invalidHeaderValue) { () throws(SIPParseError) in try r.to }
    }

    @Test func unsupportedVersionAnswerCopiesTheVia() throws {
        // §3.1.2.16: answered 505 through the Via, although the Via names SIP/7.0 too.
        let error = try #require(parseError(try TortureCase("3.1.2.16", "badvers.dat", .parses { _ in }).bytes()))
        let reply = try #require(error.replyHeaders)
        #expect(reply.method == .options)
        #expect(reply.fields.map(\.name) == [.via, .from, .to, .callID, .cseq])
        #expect(reply.fields.first?.value == "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw")
        let answer = SIPResponse(answering: reply, statusCode: error.statusCode, toTag: "v7")
        #expect(headLines(answer.serialized()).first == "SIP/2.0 505 Version Not Supported")
        #expect(answer.headers[.via] == "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw")
    }

    @Test func insufficientHeadersAnswerCopiesWhatThereIs() throws {
        // §3.3.1: Via and CSeq only; the 400 carries those two.
        let error = try #require(parseError(try TortureCase("3.3.1", "insuf.dat", .parses { _ in }).bytes()))
        #expect(error.replyHeaders?.fields.map(\.name) == [.cseq, .via])
        #expect(error.replyHeaders?.method == .invite)
    }
}
