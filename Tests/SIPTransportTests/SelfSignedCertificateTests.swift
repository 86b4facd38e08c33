import Foundation
import Testing

@testable import SIPTransport

@Suite("Self-signed TLS certificate")
struct SelfSignedCertificateTests {
    @Test(.timeLimit(.minutes(1))) func createdOnceWithPrivateKeyMode0600() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sbtls-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let created = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: dir, domains: ["sip.example.com"])
        #expect(created.wasCreated && created.isSelfSigned)
        #expect(created.sha256Fingerprint.split(separator: ":").count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: created.privateKeyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let pem = try String(contentsOfFile: created.certificatePath, encoding: .utf8)
        let der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        let certificate = try SIPPeerCertificate(der: Array(der))
        #expect(certificate.sha256Fingerprint == created.sha256Fingerprint)
        #expect(certificate.subject.contains("CN=sip.example.com"))
        #expect(certificate.subjectAlternativeNames == ["DNS:localhost", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1", "DNS:sip.example.com"])

        let again = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: dir, domains: ["other"])
        #expect(!again.wasCreated)
        #expect(again.sha256Fingerprint == created.sha256Fingerprint)
    }

    @Test func unwritableDirectoryIsATypedError() {
        #expect(throws: SIPTransportError.self) {
            try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: "/proc/no-such-dir/x", domains: [])
        }
    }
}
