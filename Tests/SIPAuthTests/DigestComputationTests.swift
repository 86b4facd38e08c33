import SIPAuth
import SIPCore
import Testing

@Suite("Digest computation (RFC 2617, RFC 7616, SIP)")
struct DigestComputationTests {
    @Test("RFC 2617 §3.5 example: Mufasa, MD5, qop=auth")
    func rfc2617Example() {
        let response = DigestComputation.response(
            algorithm: .md5, username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life",
            method: "GET", digestURI: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            nonceCount: "00000001", cnonce: "0a4f113b", qop: "auth")
        #expect(response == "6629fae49393a05397450978507c4ef1")
    }

    @Test(
        "RFC 7616 §3.9.1 example, MD5 and SHA-256",
        arguments: [
            (DigestAlgorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"),
            (DigestAlgorithm.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ])
    func rfc7616Example(algorithm: DigestAlgorithm, expected: String) {
        let response = DigestComputation.response(
            algorithm: algorithm, username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life",
            method: "GET", digestURI: "/dir/index.html", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nonceCount: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop: "auth")
        #expect(response == expected)
    }

    // Expected values computed independently with coreutils md5sum/sha256sum.
    @Test(
        "SIP REGISTER with instrument username 69/0000DEADBEEF: A1 covers the full username",
        arguments: [
            (DigestAlgorithm.md5, "auth", "8474e35c462066ec6ca0ea4b4cfd169d"),
            (DigestAlgorithm.md5Session, "auth", "bbd606911bb7b6d6047d07eb3a273693"),
            (DigestAlgorithm.sha256, "auth", "0339dffbaded785fb17ae4b76e6096e8f11da77a169bfdecb47c7a76e415ff6a"),
            (DigestAlgorithm.sha256Session, "auth", "2c11a658e7e753d169bb743318ecdba7d6f6f43776a121251e1911d88aac60a0"),
            (DigestAlgorithm.md5, "", "4a68e7458d304630e090be83ffd61659"),
            (DigestAlgorithm.sha256, "", "a375ab808c56fedc05fe8d851783a85d68d325e625224fe96cdb4cd10d2ef6a7"),
        ])
    func sipInstrumentVector(algorithm: DigestAlgorithm, qop: String, expected: String) {
        let response = DigestComputation.response(
            algorithm: algorithm, username: "69/0000DEADBEEF", realm: "example.net", password: "s3cret",
            method: "REGISTER", digestURI: "sip:example.net", nonce: "5a1d2c3b4e",
            nonceCount: "00000001", cnonce: "0a4f113b", qop: qop.isEmpty ? nil : qop)
        #expect(response == expected)
    }

    @Test("H(A1) over the full username, and the -sess variant")
    func ha1() {
        #expect(
            DigestComputation.ha1(
                algorithm: .md5, username: "69/0000DEADBEEF", realm: "example.net", password: "s3cret", nonce: "x",
                cnonce: nil) == "a4521dd6f4acdbcb526da6b18dd10cf8")
        #expect(
            DigestComputation.ha1(
                algorithm: .sha256, username: "69/0000DEADBEEF", realm: "example.net", password: "s3cret",
                nonce: "x", cnonce: nil) == "4b273be39cc6340bf0dd4ab3137bb33895b856f57c7ba1397b67147ecec56900")
        // Without the instrument the digest differs: the user part alone is not what is hashed.
        #expect(
            DigestComputation.ha1(
                algorithm: .md5, username: "69", realm: "example.net", password: "s3cret", nonce: "x", cnonce: nil)
                != "a4521dd6f4acdbcb526da6b18dd10cf8")
    }

    @Test("Algorithm tokens parse case-insensitively; unknown ones do not")
    func algorithmTokens() {
        #expect(DigestAlgorithm(token: "md5") == .md5)
        #expect(DigestAlgorithm(token: "MD5-SESS") == .md5Session)
        #expect(DigestAlgorithm(token: "sha-256") == .sha256)
        #expect(DigestAlgorithm(token: "SHA-256-sess") == .sha256Session)
        #expect(DigestAlgorithm(token: "SHA-512-256") == nil)
        #expect(DigestAlgorithm(token: "AKAv1-MD5") == nil)
        #expect(DigestAlgorithm.sha256Session.base == .sha256)
        #expect(DigestAlgorithm.md5.hexLength == 32 && DigestAlgorithm.sha256Session.hexLength == 64)
    }
}

@Suite("Digest client") struct DigestClientTests {
    /// RFC 2617 §3.5: the credentials a client computes for the example challenge.
    @Test func answersTheRFC2617Example() throws {
        var challenge = SIPAuthHeader(scheme: "Digest")
        challenge.appendQuoted("realm", "testrealm@host.com")
        challenge.appendQuoted("qop", "auth,auth-int")
        challenge.appendQuoted("nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        challenge.appendQuoted("opaque", "5ccc069c403ebaf9f0171e9517f40e41")
        let credentials = DigestClient.credentials(
            answering: challenge, username: "Mufasa", password: "Circle Of Life", method: "GET",
            digestURI: "/dir/index.html", nonceCount: 1, cnonce: "0a4f113b")
        #expect(credentials.response == "6629fae49393a05397450978507c4ef1")
        #expect(credentials.nonceCount == "00000001" && credentials.qop == "auth")
        #expect(credentials.opaque == "5ccc069c403ebaf9f0171e9517f40e41" && credentials.algorithm == "MD5")
        // It parses back as it is written on the wire.
        let reparsed = try SIPAuthHeader(parsing: Substring(credentials.description))
        #expect(reparsed.response == credentials.response && reparsed.username == "Mufasa")
        #expect(DigestClient.nonceCountText(0x1a) == "0000001a")
    }
}
