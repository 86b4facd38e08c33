import Foundation
import SIPAuth
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import Testing

/// Digest authentication of REGISTER (RFC 3261 §22.4, RFC 7616, RFC 8760) with instrument-aware
/// usernames (draft-worley-instrument-identification), brute-force lockout and the checks that
/// come before authentication (RFC 3261 §10.3 steps 1–3).
@Suite("Registrar: authentication")
struct RegistrarAuthenticationTests {
    @Test("First REGISTER is challenged: MD5 first by default, SHA-256 first when configured", arguments: [false, true])
    func challengeOrder(prefersSHA256: Bool) async throws {
        try await withRegistrar(digest: { $0.prefersSHA256 = prefersSHA256 }) { h in
            var phone = try SIPTestPhone()
            let first = await h.registrar.handleRegister(try phone.request(cseq: 1), source: phone.source)
            #expect(first.statusCode == 401)
            #expect(first.reasonPhrase == "Unauthorized")
            let challenges = try first.wwwAuthenticates()
            let algorithms = challenges.map(\.algorithm)
            #expect(algorithms == (prefersSHA256 ? ["SHA-256", "MD5"] : ["MD5", "SHA-256"]))
            for challenge in challenges {
                #expect(challenge.realm == "example.net")
                #expect(challenge.qop == "auth")
                #expect(!challenge.stale)
                #expect(challenge.nonce == challenges[0].nonce, "one nonce for all offered algorithms")
            }
            #expect(try first.to.tag != nil)
            #expect(h.location.count == 0)

            // A phone that answers only the first challenge (as SIPp does) gets in either way.
            phone.cseq = 1
            phone.challenge = challenges[0]
            let ok = try await phone.register(h.registrar)
            #expect(ok.statusCode == 200)
            #expect(phone.challenge?.algorithm == (prefersSHA256 ? "SHA-256" : "MD5"))
        }
    }

    @Test(
        "69/MAC with the right password → 200 listing the contact, Date, instrument recorded canonical",
        arguments: ["69/0000DEADBEEF", "69/0000deadbeef", "69/00:00:de:ad:be:ef", "69/00-00-DE-AD-BE-EF"])
    func registerSucceeds(authUser: String) async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(authUser: authUser)
            let response = try await phone.register(h.registrar)
            #expect(response.statusCode == 200, "\(response.text)")

            let contacts = try response.contactList
            #expect(contacts.count == 1)
            #expect(contacts.first?.uri.description == "sip:69@192.0.2.10:5060")
            #expect(contacts.first?.expires == 3600)
            #expect(response.headers[.date].map(String.init) == Self.httpDate(h.now))
            #expect(try response.to.tag != nil)
            #expect(try response.cseq.sequence == 2)

            let binding = try await h.onlyBinding()
            #expect(binding.aor == "sip:69@example.net")
            #expect(binding.contact == "sip:69@192.0.2.10:5060")
            #expect(binding.instrument?.value == "0000DEADBEEF")
            #expect(binding.callID == phone.callID)
            #expect(binding.cseq == 2)
            #expect(binding.expiresAt == h.now.adding(seconds: 3600))
            #expect(binding.source == "192.0.2.10:5060")
            #expect(binding.transport == "udp")
            #expect(binding.connectionID == nil)
            #expect(binding.userAgent == "TestPhone/1.0")
            #expect(binding.registeredAt == h.now)
            try await h.expectConsistent()
            #expect(h.location.contacts(instrument: try #require(SIPInstrumentID("00:00:DE:AD:BE:EF")), now: h.now).count == 1)

            // One structured event per outcome: the challenge, then the success.
            let events = h.logs.events
            #expect(events.map { $0.metadata["event"] } == ["register.challenge", "register.ok"])
            let ok = try #require(events.last)
            #expect(ok.metadata["sip.aor"] == "sip:69@example.net")
            #expect(ok.metadata["sip.instrument"] == "0000DEADBEEF")
            #expect(ok.metadata["sip.auth_user"] == authUser)
            #expect(ok.metadata["sip.source"] == "192.0.2.10:5060")
            #expect(ok.metadata["sip.transport"] == "udp")
        }
    }

    @Test("Challenge 407 when configured (the instrument draft's F4); credentials in Proxy-Authorization register")
    func proxyAuthenticateChallenge() async throws {
        try await withRegistrar(challengeKind: .proxyAuthenticate) { h in
            let phone = try SIPTestPhone()
            let first = await h.registrar.handleRegister(try phone.request(cseq: 1), source: phone.source)
            #expect(first.statusCode == 407)
            #expect(!first.headers.contains(.wwwAuthenticate))
            let challenge = try #require(try first.proxyAuthenticates().first)
            let credentials = phone.authorization(challenge, nonceCount: 1)
            let second = await h.registrar.handleRegister(
                try phone.request(cseq: 2, headers: ["Proxy-Authorization: \(credentials)"]), source: phone.source)
            #expect(second.statusCode == 200)
            #expect(h.location.count == 1)
        }
    }

    @Test("A store without a credential cache: the password is looked up asynchronously; 200 and 401 as usual")
    func uncachedCredentials() async throws {
        #expect(UncachedCredentialStore(inner: InMemoryCredentialStore()).cachedPassword(user: "69", domain: "example.net") == .notCached)
        try await withRegistrar(uncachedCredentials: true) { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            var wrong = try SIPTestPhone(password: "hunter2-wrong")
            #expect(try await wrong.register(h.registrar).statusCode == 401)
            #expect(try await h.onlyBinding().aor == "sip:69@example.net")
        }
    }

    @Test("Secrets never reach the logs: no password, nonce or digest response")
    func noSecretsLogged() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            var wrong = try SIPTestPhone(password: "hunter2-wrong")
            #expect(try await wrong.register(h.registrar).statusCode == 401)
            let challenge = try #require(phone.challenge)
            let nonce = try #require(challenge.nonce)
            let response = try #require(
                try SIPAuthHeader(parsing: Substring(phone.authorization(challenge, nonceCount: 1))).response)
            let logged = h.logs.records.map(\.text).joined(separator: "\n")
            #expect(!logged.isEmpty)
            for secret in ["secret-69", "hunter2-wrong", nonce, response] {
                #expect(!logged.contains(secret))
            }
        }
    }

    @Test("Wrong password and unknown user get the same 401, byte for byte but for the nonce and To tag")
    func noUserEnumeration() async throws {
        try await withRegistrar { h in
            var answers: [SIPResponse] = []
            for (authUser, password) in [("69/0000DEADBEEF", "not-the-password"), ("77/0000DEADBEEF", "whatever")] {
                var phone = try SIPTestPhone(user: "69", authUser: authUser, password: password, callID: "same-call-id")
                let first = await h.registrar.handleRegister(try phone.request(cseq: 1), source: phone.source)
                phone.cseq = 1
                let challenge = try phone.pickChallenge(first)
                answers.append(try await phone.send(h.registrar, answering: challenge))
            }
            let (wrongPassword, unknownUser) = (answers[0], answers[1])
            #expect(wrongPassword.statusCode == 401 && unknownUser.statusCode == 401)
            #expect(try !wrongPassword.wwwAuthenticates().contains(where: \.stale))
            #expect(wrongPassword.text != unknownUser.text, "fresh nonces differ")
            #expect(Self.masked(wrongPassword) == Self.masked(unknownUser))
            let failed = h.logs.events.filter { $0.metadata["event"] == "register.auth_failed" }
            #expect(failed.count == 2)
            #expect(Set(failed.map { $0.metadata["detail"] }).count == 1, "the log does not tell them apart either")
            #expect(h.location.count == 0)
        }
    }

    @Test("An answer to an expired nonce → 401 with stale=true; answering the new nonce → 200")
    func staleNonce() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let first = await h.registrar.handleRegister(try phone.request(cseq: 1), source: phone.source)
            phone.cseq = 1
            let old = try phone.pickChallenge(first)
            h.clock.advance(by: .seconds(301))
            let stale = try await phone.send(h.registrar, answering: old)
            #expect(stale.statusCode == 401)
            let challenges = try stale.wwwAuthenticates()
            #expect(!challenges.isEmpty && challenges.allSatisfy(\.stale))
            #expect(challenges.first?.nonce != old.nonce)
            #expect(h.limiter.statistics.failuresRecorded == 0, "a stale nonce is not a failed authentication")
            #expect(h.logs.events.last?.metadata["event"] == "register.stale_nonce")

            phone.nonceCount = 0
            let ok = try await phone.send(h.registrar, answering: try #require(challenges.first))
            #expect(ok.statusCode == 200)
        }
    }

    @Test("A replayed (nonce, nc) is refused; the next nc is accepted")
    func replayedNonceCount() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            let challenge = try #require(phone.challenge)
            #expect(phone.nonceCount == 1)

            // Same nonce and nc=1 again, in a new request.
            let replay = try phone.request(
                cseq: 3, contacts: ["<sip:69@192.0.2.99:5060>"],
                authorization: phone.authorization(challenge, nonceCount: 1))
            let refused = await h.registrar.handleRegister(replay, source: phone.source)
            #expect(refused.statusCode != 200)
            #expect(refused.statusCode == 401)
            #expect(try refused.wwwAuthenticates().allSatisfy(\.stale))
            #expect(try await h.stored().map(\.contact) == ["sip:69@192.0.2.10:5060"], "nothing was written")

            let next = try phone.request(
                cseq: 4, contacts: ["<sip:69@192.0.2.99:5060>"],
                authorization: phone.authorization(challenge, nonceCount: 2))
            #expect(await h.registrar.handleRegister(next, source: phone.source).statusCode == 200)
            #expect(try await h.stored().count == 2)
        }
    }

    @Test("Auth user other than the To user → 403, unless requireAORMatch is off", arguments: [true, false])
    func authUserMustMatchTo(requireAORMatch: Bool) async throws {
        try await withRegistrar(requireAORMatch: requireAORMatch) { h in
            // Line 70's credentials used to register line 69.
            var phone = try SIPTestPhone(user: "69", authUser: "70/0000DEADBEEF", password: TestUsers.passwords["70"])
            let response = try await phone.register(h.registrar)
            if requireAORMatch {
                #expect(response.statusCode == 403)
                #expect(h.location.count == 0)
                #expect(h.logs.events.last?.metadata["event"] == "register.forbidden")
            } else {
                #expect(response.statusCode == 200)
                let binding = try await h.onlyBinding()
                #expect(binding.aor == "sip:69@example.net")
                #expect(binding.instrument?.value == "0000DEADBEEF")
            }
        }
    }

    @Test(
        "Request-URI or To in a domain that is not ours → 404, before any challenge",
        arguments: [("sip:other.org", "<sip:69@example.net>"), ("sip:example.net", "<sip:69@other.org>")])
    func foreignDomain(requestURI: String, to: String) async throws {
        try await withRegistrar { h in
            let phone = try SIPTestPhone()
            let request = try phone.request(cseq: 1, to: to, requestURI: requestURI)
            let response = await h.registrar.handleRegister(request, source: phone.source)
            #expect(response.statusCode == 404)
            #expect(!response.headers.contains(.wwwAuthenticate))
            #expect(h.logs.events.last?.metadata["event"] == "register.not_our_domain")
        }
    }

    @Test("Domains compare case-insensitively; the AOR is stored canonical")
    func domainCase() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let response = try await phone.register(
                h.registrar, to: "\"Line 69\" <sip:69@EXAMPLE.Net;transport=udp>", requestURI: "sip:Example.NET")
            #expect(response.statusCode == 200, "\(response.text)")
            #expect(try await h.onlyBinding().aor == "sip:69@example.net")
        }
    }

    @Test("Require with an unknown option tag → 420 naming it in Unsupported (before any challenge)")
    func unsupportedExtension() async throws {
        try await withRegistrar { h in
            let phone = try SIPTestPhone()
            let foo = await h.registrar.handleRegister(
                try phone.request(cseq: 1, headers: ["Require: foo"]), source: phone.source)
            #expect(foo.statusCode == 420)
            #expect(foo.headers[.unsupported].map(String.init) == "foo")
            #expect(!foo.headers.contains(.wwwAuthenticate))

            let mixed = await h.registrar.handleRegister(
                try phone.request(cseq: 2, headers: ["Require: path, foo, outbound"]), source: phone.source)
            #expect(mixed.statusCode == 420)
            #expect(mixed.headers[.unsupported].map(String.init) == "foo")

            let known = await h.registrar.handleRegister(
                try phone.request(cseq: 3, headers: ["Require: path"]), source: phone.source)
            #expect(known.statusCode == 401, "path is supported, so the request goes on to authentication")
        }
    }

    @Test("After N failures from one source it gets 403; another source still gets 401; the lockout ends")
    func lockout() async throws {
        try await withRegistrar(lockout: {
            $0.maxFailures = 3
            $0.window = .seconds(60)
            $0.lockoutDuration = .seconds(300)
        }) { h in
            var attacker = try SIPTestPhone(password: "guess", host: "198.51.100.7")
            let first = await h.registrar.handleRegister(try attacker.request(cseq: 1), source: attacker.source)
            attacker.cseq = 1
            let challenge = try attacker.pickChallenge(first)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await attacker.send(h.registrar, answering: challenge).statusCode) }
            #expect(statuses == [401, 401, 403])
            #expect(h.logs.events.last?.metadata["event"] == "register.lockout")

            // Locked out: even the right password gets 403, without a challenge.
            var sameSource = try SIPTestPhone(host: "198.51.100.7", port: 5070)
            let locked = try await sameSource.register(h.registrar)
            #expect(locked.statusCode == 403)
            #expect(locked.reasonPhrase == AuthFailureLimiter.reasonPhrase)
            #expect(!locked.headers.contains(.wwwAuthenticate))

            // Another source is not affected.
            var other = try SIPTestPhone(host: "192.0.2.20")
            let otherFirst = await h.registrar.handleRegister(try other.request(cseq: 1), source: other.source)
            #expect(otherFirst.statusCode == 401)
            other.cseq = 0
            #expect(try await other.register(h.registrar).statusCode == 200)

            // When the back-off is over the source is challenged again.
            h.clock.advance(by: .seconds(301))
            var later = try SIPTestPhone(host: "198.51.100.7", port: 5080)
            #expect(try await later.register(h.registrar).statusCode == 200)
        }
    }

    /// The serialized response with the nonce and the To tag masked (both are fresh randomness).
    static func masked(_ response: SIPResponse) -> String {
        response.text.split(separator: "\r\n", omittingEmptySubsequences: false).map { line -> String in
            var text = String(line)
            text = text.replacing(#/nonce="[^"]*"/#, with: "nonce=\"*\"")
            if text.hasPrefix("To:") { text = text.replacing(#/;tag=[^;]*$/#, with: ";tag=*") }
            return text
        }.joined(separator: "\r\n")
    }

    /// RFC 1123 date in GMT (RFC 3261 §20.17), via Foundation as an independent reference.
    static func httpDate(_ time: SIPTimestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time.secondsSince1970)))
    }
}
