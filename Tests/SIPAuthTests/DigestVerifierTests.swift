import SIPAuth
import SIPCore
import SIPTestSupport
import Testing

@Suite("Digest verification (RFC 3261 §22.4, RFC 7616 §3.4)")
struct DigestVerifierTests {
    let clock = ManualClock()
    let secret = DigestServerSecret()
    let user = "69/0000DEADBEEF"
    let password = "s3cret"

    struct Server {
        let challenger: DigestChallenger
        let verifier: DigestVerifier
    }

    func server(_ configure: (inout DigestConfiguration) -> Void = { _ in }) throws -> Server {
        var configuration = DigestConfiguration()
        configuration.realm = sipDomain
        configure(&configuration)
        return Server(
            challenger: try DigestChallenger(configuration: configuration, secret: secret, clock: clock),
            verifier: try DigestVerifier(configuration: configuration, secret: secret, clock: clock))
    }

    func requestURI(_ text: String = "sip:example.net") throws -> SIPURI { try SIPURI(parsing: text) }

    func verify(
        _ s: Server, _ credentials: SIPAuthHeader, password: String?, uri: String = "sip:example.net",
        method: SIPMethod = .register
    ) throws -> DigestVerification {
        s.verifier.verify(method: method, requestURI: try requestURI(uri), credentials: credentials, password: password)
    }

    @Test(
        "69/0000DEADBEEF authenticates with MD5 and with SHA-256; the username splits at the last /",
        arguments: [0, 1])
    func success(challengeIndex: Int) throws {
        let s = try server()
        let challenge = s.challenger.challenges()[challengeIndex]
        let outcome = try verify(s, answer(challenge, username: user, password: password), password: password)
        guard case .success(let username) = outcome else {
            Issue.record("expected success, got \(outcome)")
            return
        }
        #expect(username.full == "69/0000DEADBEEF")
        #expect(username.user == "69")
        #expect(username.instrument?.value == "0000DEADBEEF")
        #expect(outcome.isSuccess && !outcome.challengeIsStale)
    }

    @Test("A SIPp-style Authorization line, parsed from text, authenticates")
    func parsedFromWire() throws {
        let s = try server()
        let nonce = s.challenger.challenges()[0].nonce!
        let response = DigestComputation.response(
            algorithm: .md5, username: "70/00:00:de:ad:be:ef", realm: sipDomain, password: password,
            method: "REGISTER", digestURI: "sip:example.net:5060", nonce: nonce, nonceCount: "00000001",
            cnonce: "6b8b4567", qop: "auth")
        let line =
            "Digest username=\"70/00:00:de:ad:be:ef\",realm=\"example.net\",cnonce=\"6b8b4567\",nc=00000001,"
            + "qop=auth,uri=\"sip:example.net:5060\",nonce=\"\(nonce)\",response=\"\(response)\",algorithm=MD5"
        let credentials = try SIPAuthHeader(parsing: Substring(line))
        #expect(credentials.digestUsername?.instrument?.value == "0000DEADBEEF")
        let outcome = try verify(s, credentials, password: password, uri: "sip:example.net:5060")
        #expect(outcome == .success(username: SIPAuthUsername("70/00:00:de:ad:be:ef")))
    }

    @Test("-sess algorithms authenticate when configured", arguments: [DigestAlgorithm.md5Session, .sha256Session])
    func session(algorithm: DigestAlgorithm) throws {
        let s = try server { $0.algorithms = [algorithm] }
        let challenge = s.challenger.challenges()[0]
        #expect(challenge.algorithm == algorithm.token)
        #expect(try verify(s, answer(challenge, username: user, password: password), password: password).isSuccess)
        let noCnonce = answer(challenge, username: user, password: password, nc: nil, cnonce: nil)
        #expect(try verify(s, noCnonce, password: password) == .failure(.missingParameter))
    }

    @Test("Wrong password fails; the right one still works afterwards")
    func wrongPassword() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        #expect(
            try verify(s, answer(challenge, username: user, password: "guess"), password: password)
                == .failure(.invalidCredentials))
        #expect(try verify(s, answer(challenge, username: user, password: password), password: password).isSuccess)
    }

    @Test("Unknown user and wrong password: identical outcomes and identical challenges")
    func noEnumeration() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        let unknown = try verify(s, answer(challenge, username: "99/0000DEADBEEF", password: "whatever"), password: nil)
        let wrong = try verify(s, answer(challenge, username: user, password: "whatever"), password: password)
        #expect(unknown == wrong)
        #expect(unknown == .failure(.invalidCredentials))
        #expect("\(unknown)" == "\(wrong)")
        // The challenge that follows is a function of the outcome only.
        let nonce = s.challenger.nonces.mint(realm: sipDomain)
        let afterUnknown = s.challenger.challenges(stale: unknown.challengeIsStale, nonce: nonce)
        let afterWrong = s.challenger.challenges(stale: wrong.challengeIsStale, nonce: nonce)
        #expect(afterUnknown.map(\.description) == afterWrong.map(\.description))
        // Same with an expired nonce: still no difference, and no stale hint without the password.
        clock.advance(by: .seconds(301))
        let unknownStale = try verify(
            s, answer(challenge, username: "99", password: "x", nc: "00000002"), password: nil)
        let wrongStale = try verify(
            s, answer(challenge, username: user, password: "x", nc: "00000002"), password: password)
        #expect(unknownStale == wrongStale)
        #expect(unknownStale == .failure(.invalidCredentials))
    }

    @Test("An unknown user whose guess equals any password is still refused")
    func unknownUserNeverSucceeds() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        for guess in ["", "s3cret", "password", "00000000000000000000000000000000"] {
            #expect(
                try verify(s, answer(challenge, username: "nobody", password: guess), password: nil)
                    == .failure(.invalidCredentials))
        }
    }

    @Test("Stale nonce with the right password → stale (re-challenge with stale=true)")
    func staleNonce() throws {
        let s = try server { $0.nonceLifetime = .seconds(60) }
        let challenge = s.challenger.challenges()[0]
        clock.advance(by: .seconds(61))
        let outcome = try verify(s, answer(challenge, username: user, password: password), password: password)
        #expect(outcome == .stale(username: SIPAuthUsername(user), reason: .nonceExpired))
        #expect(outcome.challengeIsStale)
        // With the fresh stale challenge the client gets in.
        let fresh = s.challenger.challenges(stale: true)[0]
        #expect(fresh.stale)
        #expect(try verify(s, answer(fresh, username: user, password: password), password: password).isSuccess)
    }

    @Test("A tampered nonce is refused as invalid")
    func tamperedNonce() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        var nonce = Array(challenge.nonce!)
        nonce[20] = nonce[20] == "a" ? "b" : "a"
        var forged = challenge
        forged = replacing("nonce", with: "\"\(String(nonce))\"", in: forged)
        let credentials = answer(forged, username: user, password: password)
        #expect(try verify(s, credentials, password: password) == .failure(.invalidNonce))
        let foreign = replacing("nonce", with: "\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"", in: challenge)
        #expect(
            try verify(s, answer(foreign, username: user, password: password), password: password)
                == .failure(.invalidNonce))
    }

    @Test("A replayed (nonce, nc) is refused; higher counts are accepted")
    func replay() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        let first = answer(challenge, username: user, password: password, nc: "00000001")
        #expect(try verify(s, first, password: password).isSuccess)
        #expect(
            try verify(s, first, password: password)
                == .stale(username: SIPAuthUsername(user), reason: .nonceCountReplayed))
        #expect(
            try verify(s, answer(challenge, username: user, password: password, nc: "00000002"), password: password)
                .isSuccess)
        #expect(
            try verify(s, answer(challenge, username: user, password: password, nc: "0000000a"), password: password)
                .isSuccess)
        #expect(
            try verify(s, answer(challenge, username: user, password: password, nc: "0000000a"), password: password)
                .challengeIsStale)
        #expect(s.verifier.trackedNonces == 1)
    }

    @Test("Counts may arrive out of order inside the window, never twice; window 0 means strictly increasing")
    func reorderWindow() throws {
        let s = try server { $0.nonceCountReorderWindow = 4 }
        let c = s.challenger.challenges()[0]
        func nc(_ n: Int) -> SIPAuthHeader {
            let hex = String(n, radix: 16)
            return answer(c, username: user, password: password, nc: String(repeating: "0", count: 8 - hex.count) + hex)
        }
        #expect(try verify(s, nc(5), password: password).isSuccess)
        #expect(try verify(s, nc(3), password: password).isSuccess)  // late, within 4
        #expect(try verify(s, nc(3), password: password).challengeIsStale)  // seen
        #expect(try verify(s, nc(1), password: password).challengeIsStale)  // too old
        #expect(try verify(s, nc(100), password: password).isSuccess)
        #expect(try verify(s, nc(99), password: password).isSuccess)

        let strict = try server { $0.nonceCountReorderWindow = 0 }
        let c2 = strict.challenger.challenges()[0]
        #expect(
            strict.verifier.verify(
                method: .register, requestURI: try requestURI(),
                credentials: answer(c2, username: user, password: password, nc: "00000002"), password: password
            ).isSuccess)
        #expect(
            strict.verifier.verify(
                method: .register, requestURI: try requestURI(),
                credentials: answer(c2, username: user, password: password, nc: "00000001"), password: password
            ).challengeIsStale)
    }

    @Test("A wrong digest does not burn the client's count")
    func failuresDoNotRecord() throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        #expect(
            try verify(s, answer(c, username: user, password: "bad", nc: "00000001"), password: password)
                == .failure(.invalidCredentials))
        #expect(
            try verify(s, answer(c, username: user, password: password, nc: "00000001"), password: password).isSuccess)
    }

    @Test("Wrong realm is refused")
    func wrongRealm() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        let credentials = replacing(
            "realm", with: "\"example.org\"", in: answer(challenge, username: user, password: password))
        #expect(try verify(s, credentials, password: password) == .failure(.realmMismatch))
        // A nonce minted for another realm is not accepted in this one either.
        let other = s.challenger.challenges(realm: "example.org")[0]
        let forOther = answer(other, username: user, password: password)
        #expect(
            s.verifier.verify(
                method: .register, requestURI: try requestURI(), credentials: forOther, realm: "example.org",
                password: password
            ).isSuccess)
        #expect(try verify(s, forOther, password: password) == .failure(.realmMismatch))
    }

    @Test("digest-uri must match the Request-URI, up to RFC 3261 §19.1.4 equivalence")
    func digestURI() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        let other = answer(challenge, username: user, password: password, uri: "sip:example.org")
        #expect(try verify(s, other, password: password) == .failure(.uriMismatch))
        let port = answer(challenge, username: user, password: password, uri: "sip:example.net:5060", nc: "00000002")
        #expect(try verify(s, port, password: password) == .failure(.uriMismatch))
        let equivalent = answer(
            challenge, username: user, password: password, uri: "sip:EXAMPLE.NET;transport=udp", nc: "00000003")
        #expect(try verify(s, equivalent, password: password, uri: "sip:example.net;transport=UDP").isSuccess)
        let garbage = answer(challenge, username: user, password: password, uri: "not a uri", nc: "00000004")
        #expect(try verify(s, garbage, password: password) == .failure(.malformedParameter))
        // The check can be switched off; the digest still covers the uri as sent.
        let lax = try server { $0.verifiesDigestURI = false }
        let c2 = lax.challenger.challenges()[0]
        #expect(
            try verify(lax, answer(c2, username: user, password: password, uri: "sip:example.org"), password: password)
                .isSuccess)
    }

    @Test("The method is part of A2")
    func methodCovered() throws {
        let s = try server()
        let challenge = s.challenger.challenges()[0]
        let credentials = answer(challenge, username: user, password: password, method: "INVITE")
        #expect(try verify(s, credentials, password: password, method: .register) == .failure(.invalidCredentials))
        #expect(try verify(s, credentials, password: password, method: .invite).isSuccess)
    }

    @Test("Algorithms not configured are refused (no downgrade); absent algorithm means MD5")
    func algorithms() throws {
        let shaOnly = try server { $0.algorithms = [.sha256] }
        let challenge = shaOnly.challenger.challenges()[0]
        let md5 = answer(challenge, username: user, password: password, algorithm: .md5)
        #expect(try verify(shaOnly, md5, password: password) == .failure(.unsupportedAlgorithm))
        let absent = replacing("algorithm", with: nil, in: md5)
        #expect(try verify(shaOnly, absent, password: password) == .failure(.unsupportedAlgorithm))

        let s = try server()
        let c = s.challenger.challenges()[0]
        #expect(
            try verify(
                s, replacing("algorithm", with: nil, in: answer(c, username: user, password: password)),
                password: password
            ).isSuccess)
        let unknown = replacing(
            "algorithm", with: "SHA-512-256", in: answer(c, username: user, password: password, nc: "00000002"))
        #expect(try verify(s, unknown, password: password) == .failure(.unsupportedAlgorithm))
        let mismatched = replacing(
            "algorithm", with: "SHA-256", in: answer(c, username: user, password: password, nc: "00000003"))
        #expect(try verify(s, mismatched, password: password) == .failure(.malformedParameter))
    }

    @Test("qop absent (RFC 2069) is refused by default; when allowed, each nonce answers once")
    func legacyQop() throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        let legacy = answer(c, username: user, password: password, nc: nil, cnonce: nil)
        #expect(try verify(s, legacy, password: password) == .failure(.qopRequired))

        let allowing = try server { $0.qopPolicy = .allowLegacy }
        let c2 = allowing.challenger.challenges()[0]
        let legacy2 = answer(c2, username: user, password: password, nc: nil, cnonce: nil)
        #expect(try verify(allowing, legacy2, password: password).isSuccess)
        #expect(
            try verify(allowing, legacy2, password: password)
                == .stale(username: SIPAuthUsername(user), reason: .nonceCountReplayed))
        #expect(
            try verify(allowing, answer(c2, username: user, password: "bad", nc: nil, cnonce: nil), password: password)
                == .failure(.invalidCredentials))
    }

    @Test(
        "Malformed credentials are refused with a reason",
        arguments: [
            ("qop", "auth-int", DigestFailureReason.unsupportedQop),
            ("nc", "0000000g", .malformedParameter),
            ("nc", "000000001", .malformedParameter),
            ("nc", "00000000", .malformedParameter),
            ("nc", nil, .missingParameter),
            ("cnonce", nil, .missingParameter),
            ("username", nil, .missingParameter),
            ("username", "\"\"", .missingParameter),
            ("realm", nil, .missingParameter),
            ("nonce", nil, .missingParameter),
            ("uri", nil, .missingParameter),
            ("response", nil, .missingParameter),
            ("response", "\"6629fae49393a05397450978507c4ef\"", .malformedParameter),
            ("response", "\"zz29fae49393a05397450978507c4ef1\"", .malformedParameter),
            ("opaque", "\"0123\"", .opaqueMismatch),
        ] as [(String, String?, DigestFailureReason)])
    func malformed(name: String, value: String?, reason: DigestFailureReason) throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        let credentials = replacing(name, with: value, in: answer(c, username: user, password: password))
        #expect(try verify(s, credentials, password: password) == .failure(reason))
    }

    @Test("Duplicate parameters, userhash and other schemes are refused")
    func otherRefusals() throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        var duplicate = answer(c, username: user, password: password)
        duplicate.appendQuoted("username", "70/0000DEADBEEF")
        #expect(try verify(s, duplicate, password: password) == .failure(.duplicateParameter))
        var hashed = answer(c, username: user, password: password)
        hashed.appendToken("userhash", "true")
        #expect(try verify(s, hashed, password: password) == .failure(.userhashUnsupported))
        var basic = answer(c, username: user, password: password)
        basic.scheme = "Basic"
        #expect(try verify(s, basic, password: password) == .failure(.notDigest))
    }

    @Test("opaque may be omitted by the client; upper-case hex responses are accepted")
    func leniency() throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        #expect(
            try verify(s, answer(c, username: user, password: password, includeOpaque: false), password: password)
                .isSuccess)
        let good = answer(c, username: user, password: password, nc: "00000002")
        let upper = replacing("response", with: "\"\(good.response!.uppercased())\"", in: good)
        #expect(try verify(s, upper, password: password).isSuccess)
    }

    @Test("Nonces minted before the verifier started have unknown counts → stale, unless accepted by configuration")
    func beforeStart() throws {
        let old = try server()
        let challenge = old.challenger.challenges()[0]
        clock.advance(by: .seconds(10))
        let restarted = try DigestVerifier(configuration: old.verifier.configuration, secret: secret, clock: clock)
        let credentials = answer(challenge, username: user, password: password)
        #expect(
            restarted.verify(
                method: .register, requestURI: try requestURI(), credentials: credentials, password: password)
                == .stale(username: SIPAuthUsername(user), reason: .nonceHistoryUnknown))
        var trusting = old.verifier.configuration
        trusting.acceptsNoncesIssuedBeforeStart = true
        let lenient = try DigestVerifier(configuration: trusting, secret: secret, clock: clock)
        #expect(
            lenient.verify(
                method: .register, requestURI: try requestURI(), credentials: credentials, password: password
            ).isSuccess)
    }

    @Test("The nonce table is capped; an evicted nonce cannot be replayed")
    func cappedTable() throws {
        let s = try server { $0.maxTrackedNonces = 2 }
        var challenges: [SIPAuthHeader] = []
        for _ in 0..<3 {
            challenges.append(s.challenger.challenges()[0])
            clock.advance(by: .milliseconds(5))
        }
        for c in challenges {
            #expect(try verify(s, answer(c, username: user, password: password), password: password).isSuccess)
        }
        #expect(s.verifier.trackedNonces == 2)
        #expect(s.verifier.nonceEvictions == 1)
        let replay = answer(challenges[0], username: user, password: password)
        #expect(
            try verify(s, replay, password: password)
                == .stale(username: SIPAuthUsername(user), reason: .nonceHistoryUnknown))
        #expect(
            try verify(s, answer(challenges[2], username: user, password: password, nc: "00000002"), password: password)
                .isSuccess)
    }

    @Test("Expired entries leave the table")
    func expiry() throws {
        let s = try server { $0.nonceLifetime = .seconds(10) }
        for _ in 0..<5 {
            #expect(
                try verify(
                    s, answer(s.challenger.challenges()[0], username: user, password: password), password: password
                ).isSuccess)
        }
        #expect(s.verifier.trackedNonces == 5)
        clock.advance(by: .seconds(11))
        #expect(
            try verify(s, answer(s.challenger.challenges()[0], username: user, password: password), password: password)
                .isSuccess)
        #expect(s.verifier.trackedNonces == 1)
        #expect(s.verifier.nonceEvictions == 0)
    }

    @Test("Outcome descriptions never carry the password, HA1, nonce or response")
    func safeDescriptions() throws {
        let s = try server()
        let c = s.challenger.challenges()[0]
        let credentials = answer(c, username: user, password: password)
        let ha1 = DigestComputation.ha1(
            algorithm: .md5, username: user, realm: sipDomain, password: password, nonce: "", cnonce: nil)
        var outcomes = [try verify(s, credentials, password: password), try verify(s, credentials, password: password)]
        outcomes.append(try verify(s, answer(c, username: user, password: "bad", nc: "00000009"), password: password))
        for outcome in outcomes {
            let text = "\(outcome)"
            for secretText in [password, ha1, c.nonce!, credentials.response!] {
                #expect(!text.contains(secretText))
            }
        }
        #expect(DigestFailureReason.allCases.allSatisfy { !$0.rawValue.contains(" ") })
    }

    @Test("Choosing credentials among several Authorization values")
    func chooseCredentials() throws {
        var a = SIPAuthHeader(scheme: "Digest")
        a.appendQuoted("realm", "other.example")
        var b = SIPAuthHeader(scheme: "Digest")
        b.appendQuoted("realm", sipDomain)
        let basic = SIPAuthHeader(scheme: "Basic")
        #expect(DigestVerifier.credentials(in: [basic, a, b], realm: sipDomain) == b)
        #expect(DigestVerifier.credentials(in: [basic, a], realm: sipDomain) == a)
        #expect(DigestVerifier.credentials(in: [basic], realm: sipDomain) == nil)
    }
}
