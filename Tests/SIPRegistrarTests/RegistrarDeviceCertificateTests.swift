import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import SIPTransport
import Testing

/// A phone registering over TLS with a device certificate: the certificate's MAC is its
/// instrument; a username naming another MAC is refused.
@Suite("Registrar: instrument from the TLS device certificate")
struct RegistrarDeviceCertificateTests {
    static let certificate = SIPPeerCertificate(
        subject: "CN=SEP0000DEADBEEF,O=Example Phones", subjectAlternativeNames: [], sha256Fingerprint: "00")

    func phone(_ authUser: String, certificate: SIPPeerCertificate? = certificate) throws -> SIPTestPhone {
        var phone = try SIPTestPhone(user: "69", authUser: authUser, transport: .tls, connectionID: 7)
        phone.source.peerCertificate = certificate
        return phone
    }

    @Test("user/MAC matching the certificate registers (any MAC spelling)")
    func matching() async throws {
        try await withRegistrar { h in
            var phone = try phone("69/00:00:de:ad:be:ef")
            #expect(try await phone.register(h.registrar).statusCode == 200)
            #expect(try await h.onlyBinding().instrument?.value == "0000DEADBEEF")
        }
    }

    @Test("A username naming another MAC → 403, logged with both MACs")
    func mismatch() async throws {
        try await withRegistrar { h in
            var phone = try phone("69/0004F2ABCDEF")
            let response = try await phone.register(h.registrar)
            #expect(response.statusCode == 403)
            #expect(response.reasonPhrase == "Instrument does not match the device certificate")
            #expect(h.location.count == 0)
            let event = try #require(h.logs.events.last)
            #expect(event.metadata["event"] == "register.certificate_mismatch")
            #expect(event.metadata["sip.instrument"] == "0004F2ABCDEF")
            #expect(event.metadata["detail"] == "certificate names 0000DEADBEEF")
        }
    }

    @Test("A username without a MAC gets the certificate's")
    func instrumentFromCertificate() async throws {
        try await withRegistrar { h in
            var phone = try phone("69")
            #expect(try await phone.register(h.registrar).statusCode == 200)
            #expect(try await h.onlyBinding().instrument?.value == "0000DEADBEEF")
        }
    }

    @Test("A certificate that names no MAC leaves the username alone")
    func certificateWithoutMAC() async throws {
        let plain = SIPPeerCertificate(subject: "CN=softphone.example.net", subjectAlternativeNames: [], sha256Fingerprint: "00")
        try await withRegistrar { h in
            var phone = try phone("69/0004F2ABCDEF", certificate: plain)
            #expect(try await phone.register(h.registrar).statusCode == 200)
            #expect(try await h.onlyBinding().instrument?.value == "0004F2ABCDEF")
        }
    }
}
