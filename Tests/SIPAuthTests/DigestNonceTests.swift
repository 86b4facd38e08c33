import SIPAuth
import SIPCore
import SIPTestSupport
import Testing

@Suite("Stateless nonces (RFC 7616 §3.3)")
struct DigestNonceTests {
    let clock = ManualClock()
    let secret = DigestServerSecret()

    var issuer: DigestNonceIssuer { DigestNonceIssuer(secret: secret, lifetime: .seconds(300), clock: clock) }

    @Test("A fresh nonce is 66 lower-case hex characters and valid for its realm")
    func freshNonce() {
        let nonce = issuer.mint(realm: sipDomain)
        #expect(nonce.count == DigestNonceIssuer.length)
        #expect(nonce.count == 66)
        #expect(nonce.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(issuer.validate(nonce, realm: sipDomain) == .valid)
    }

    @Test("Nonces are unique")
    func unique() {
        let nonces = Set((0..<1000).map { _ in issuer.mint(realm: sipDomain) })
        #expect(nonces.count == 1000)
    }

    @Test("Valid up to the lifetime, stale one millisecond after")
    func lifetime() {
        let nonce = issuer.mint(realm: sipDomain)
        clock.advance(by: .seconds(300))
        #expect(issuer.validate(nonce, realm: sipDomain) == .valid)
        clock.advance(by: .milliseconds(1))
        #expect(issuer.validate(nonce, realm: sipDomain) == .stale)
        clock.advance(by: .seconds(3600))
        #expect(issuer.validate(nonce, realm: sipDomain) == .stale)
    }

    @Test("Every single-character change makes the nonce invalid")
    func tampered() {
        let nonce = Array(issuer.mint(realm: sipDomain))
        for index in nonce.indices {
            var copy = nonce
            copy[index] = copy[index] == "0" ? "1" : "0"
            #expect(issuer.validate(String(copy), realm: sipDomain) == .invalid, "position \(index)")
        }
    }

    @Test("A nonce whose time stamp was moved forward is invalid, not fresh")
    func backdatingRefused() {
        let nonce = issuer.mint(realm: sipDomain)
        clock.advance(by: .seconds(400))
        // Bytes 1...8 are the issue time; rewrite them to "now" without knowing the secret.
        var chars = Array(nonce)
        let now = String(clock.now().millisecondsSince1970, radix: 16)
        let stamp = Array(String(repeating: "0", count: 16 - now.count) + now)
        chars.replaceSubrange(2..<18, with: stamp)
        #expect(issuer.validate(String(chars), realm: sipDomain) == .invalid)
    }

    @Test("Wrong realm, other secret, garbage and truncation are invalid")
    func foreign() {
        let nonce = issuer.mint(realm: sipDomain)
        #expect(issuer.validate(nonce, realm: "example.org") == .invalid)
        let other = DigestNonceIssuer(secret: DigestServerSecret(), clock: clock)
        #expect(other.validate(nonce, realm: sipDomain) == .invalid)
        #expect(issuer.validate("", realm: sipDomain) == .invalid)
        #expect(issuer.validate("dcd98b7102dd2f0e8b11d0f600bfb0c093", realm: sipDomain) == .invalid)
        #expect(issuer.validate(String(nonce.dropLast(2)), realm: sipDomain) == .invalid)
        #expect(issuer.validate(nonce + "00", realm: sipDomain) == .invalid)
        #expect(issuer.validate(String(repeating: "z", count: 66), realm: sipDomain) == .invalid)
        #expect(issuer.validate(nonce.uppercased(), realm: sipDomain) == .valid)  // hex either case
    }

    @Test("A persisted secret keeps nonces valid across a restart")
    func persistedSecret() throws {
        let nonce = issuer.mint(realm: sipDomain)
        let restored = try #require(DigestServerSecret(bytes: secret.bytes))
        let restarted = DigestNonceIssuer(secret: restored, clock: clock)
        #expect(restarted.validate(nonce, realm: sipDomain) == .valid)
        #expect(restarted.opaque == issuer.opaque)
    }

    @Test("Secrets: 32 bytes exactly, random, never printed")
    func secrets() {
        #expect(secret.bytes.count == 32)
        #expect(DigestServerSecret().bytes != secret.bytes)
        #expect(DigestServerSecret(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(DigestServerSecret(bytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(DigestServerSecret(bytes: [UInt8](repeating: 1, count: 32)) != nil)
        #expect("\(secret)" == "DigestServerSecret(redacted)")
    }

    @Test("A nonce from the future (clock set back) is judged by distance")
    func clockSetBack() {
        let nonce = issuer.mint(realm: sipDomain)
        let earlier = ManualClock(start: clock.now().adding(seconds: -10))
        let setBack = DigestNonceIssuer(secret: secret, lifetime: .seconds(300), clock: earlier)
        #expect(setBack.validate(nonce, realm: sipDomain) == .valid)
        let muchEarlier = ManualClock(start: clock.now().adding(seconds: -3600))
        #expect(DigestNonceIssuer(secret: secret, clock: muchEarlier).validate(nonce, realm: sipDomain) == .stale)
    }
}
