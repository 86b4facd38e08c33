import SIPAuth
import SIPCore
import SIPTestSupport
import Testing

@Suite("Digest challenges (RFC 7616 §3.3, RFC 8760 §2.4)")
struct DigestChallengerTests {
    let clock = ManualClock()
    let secret = DigestServerSecret()

    func challenger(_ configure: (inout DigestConfiguration) -> Void = { _ in }) throws -> DigestChallenger {
        var configuration = DigestConfiguration()
        configure(&configuration)
        return try DigestChallenger(configuration: configuration, secret: secret, clock: clock)
    }

    @Test("Default: MD5 first, then SHA-256 (SIPp 3.6.1 answers only the first)")
    func defaultOrder() throws {
        let challenges = try challenger().challenges(realm: sipDomain)
        #expect(challenges.map(\.algorithm) == ["MD5", "SHA-256"])
        for challenge in challenges {
            #expect(challenge.isDigest)
            #expect(challenge.realm == sipDomain)
            #expect(challenge.qop == "auth")
            #expect(challenge.opaque?.count == 32)
            #expect(!challenge.stale)
            #expect(challenge.parameters.map(\.name) == ["realm", "nonce", "opaque", "algorithm", "qop"])
        }
        #expect(challenges[0].nonce == challenges[1].nonce)
    }

    @Test("prefersSHA256 puts the SHA-256 family first and keeps MD5 accepted")
    func sha256First() throws {
        let c = try challenger {
            $0.prefersSHA256 = true
            $0.algorithms = [.md5, .md5Session, .sha256, .sha256Session]
        }
        #expect(c.challenges().map(\.algorithm) == ["SHA-256", "SHA-256-sess", "MD5", "MD5-sess"])
        #expect(c.configuration.offeredAlgorithms.contains(.md5))
    }

    @Test("An explicit algorithm list is offered in its own order, without duplicates")
    func explicitOrder() throws {
        #expect(
            try challenger { $0.algorithms = [.sha256, .md5, .sha256] }.challenges().map(\.algorithm) == [
                "SHA-256", "MD5",
            ])
        #expect(try challenger { $0.algorithms = [.sha256] }.challenges().map(\.algorithm) == ["SHA-256"])
    }

    @Test("stale=true is added when asked")
    func stale() throws {
        let challenges = try challenger().challenges(realm: sipDomain, stale: true)
        #expect(challenges.allSatisfy { $0.stale })
        #expect(challenges[0].parameters.map(\.name) == ["realm", "nonce", "opaque", "stale", "algorithm", "qop"])
    }

    @Test("The realm defaults to the configured one; opaque can be left out")
    func realmAndOpaque() throws {
        let c = try challenger {
            $0.realm = "pbx.example.com"
            $0.includesOpaque = false
        }
        let challenge = try #require(c.challenges().first)
        #expect(challenge.realm == "pbx.example.com")
        #expect(challenge.opaque == nil)
    }

    @Test("The nonce in a challenge verifies for its realm")
    func nonceValid() throws {
        let c = try challenger()
        let nonce = try #require(c.challenges(realm: sipDomain).first?.nonce)
        #expect(c.nonces.validate(nonce, realm: sipDomain) == .valid)
        #expect(c.nonces.validate(nonce, realm: "other.example") == .invalid)
    }

    @Test(
        "Header fields parse back as the same challenges",
        arguments: [
            DigestChallengeKind.wwwAuthenticate, .proxyAuthenticate,
        ])
    func headerFields(kind: DigestChallengeKind) throws {
        let fields = try challenger().headerFields(kind: kind, realm: sipDomain, stale: true)
        #expect(fields.count == 2)
        for field in fields {
            #expect(field.name == kind.headerName)
            let parsed = try SIPAuthHeader(parsing: field.value)
            #expect(parsed.realm == sipDomain)
            #expect(parsed.stale)
            #expect(parsed.qop == "auth")
        }
        let name = kind == .wwwAuthenticate ? "WWW-Authenticate" : "Proxy-Authenticate"
        #expect(field(fields[0]).hasPrefix("\(name): Digest realm=\"example.net\", nonce=\""))
        #expect(kind.statusCode == (kind == .wwwAuthenticate ? 401 : 407))
    }

    private func field(_ f: SIPHeaderField) -> String { f.description }

    @Test("A challenge with a given nonce depends only on realm, stale and nonce")
    func deterministic() throws {
        let c = try challenger()
        let nonce = c.nonces.mint(realm: sipDomain)
        #expect(
            c.challenges(realm: sipDomain, stale: false, nonce: nonce)
                == c.challenges(realm: sipDomain, stale: false, nonce: nonce))
        #expect(
            c.challenges(realm: sipDomain, stale: false, nonce: nonce).map(\.description) == [
                "Digest realm=\"example.net\", nonce=\"\(nonce)\", opaque=\"\(c.nonces.opaque)\", algorithm=MD5, "
                    + "qop=\"auth\"",
                "Digest realm=\"example.net\", nonce=\"\(nonce)\", opaque=\"\(c.nonces.opaque)\", algorithm=SHA-256, "
                    + "qop=\"auth\"",
            ])
    }

    @Test("Invalid configurations are refused with a typed error")
    func invalidConfiguration() {
        #expect(throws: DigestConfigurationError.self) { try challenger { $0.algorithms = [] } }
        #expect(throws: DigestConfigurationError.self) { try challenger { $0.realm = "" } }
        #expect(throws: DigestConfigurationError.self) { try challenger { $0.nonceLifetime = .milliseconds(10) } }
        #expect(throws: DigestConfigurationError.self) { try challenger { $0.nonceCountReorderWindow = 65 } }
        #expect(throws: DigestConfigurationError.self) { try challenger { $0.maxTrackedNonces = 0 } }
        #expect(throws: DigestConfigurationError.self) {
            try DigestVerifier(
                configuration: {
                    var c = DigestConfiguration()
                    c.algorithms = []
                    return c
                }(), secret: secret)
        }
    }

    @Test("Documented defaults")
    func defaults() {
        let c = DigestConfiguration()
        #expect(c.realm == "switchboard")
        #expect(c.algorithms == [.md5, .sha256])
        #expect(c.offeredAlgorithms == [.md5, .sha256])
        #expect(!c.prefersSHA256)
        #expect(c.nonceLifetime == .seconds(300))
        #expect(c.qopPolicy == .requireAuth)
        #expect(c.nonceCountReorderWindow == 32)
        #expect(c.maxTrackedNonces == 100_000)
        #expect(!c.acceptsNoncesIssuedBeforeStart)
        #expect(c.verifiesDigestURI && c.includesOpaque)
    }
}
