import Foundation
import NIOCore
import NIOSSL
import SIPCore
import SIPTestSupport
import Testing

@testable import SIPTransport

/// SIGHUP's TLS half at the transport: new handshakes get the certificate now on disk, open
/// connections keep theirs and go on working, a broken pair is refused and changes nothing.
@Suite("TLS certificate reload", .serialized, .timeLimit(.minutes(1)))
struct TLSReloadTests {
    /// The fingerprint of the certificate the server presented to `client`.
    static func presented(_ client: SIPTestClient) async throws -> String {
        let channel = client.channel
        let der = try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate?.toDERBytes()
        }.get()
        return SIPPeerCertificate.fingerprint(try #require(der))
    }

    static func roundTrip(_ client: SIPTestClient, _ callID: String) async throws {
        try await client.send(Fixtures.options(via: client.via(branch: "z9hG4bK-\(callID)"), callID: callID))
        #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
    }

    static func install(_ info: SIPTLSCertificateInfo, certificate: String, key: String) throws {
        let files = FileManager.default
        for (from, to) in [(info.certificatePath, certificate), (info.privateKeyPath, key)] {
            try? files.removeItem(atPath: to)
            try files.copyItem(atPath: from, toPath: to)
        }
    }

    @Test("After a reload new connections get the new certificate; an open one keeps its own and still works")
    func reload() async throws {
        let root = IntegrationTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: root + "/a", domains: ["a.example"])
        let second = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: root + "/b", domains: ["b.example"])
        #expect(first.sha256Fingerprint != second.sha256Fingerprint)
        let certificate = root + "/live.crt"
        let key = root + "/live.key"
        try Self.install(first, certificate: certificate, key: key)

        let configuration = SIPTransportConfiguration(
            listeners: [SIPListener(url: try SIPListenerURL(parsing: "tls://127.0.0.1:0"))],
            tls: SIPTLSSettings(certificatePath: certificate, privateKeyPath: key), eventLoopThreads: 1)
        try await withAnsweringTransport(configuration) { service, server in
            try await withClient(.tls, to: server) { old in
                try await Self.roundTrip(old, "before")
                #expect(try await Self.presented(old) == first.sha256Fingerprint)

                try Self.install(second, certificate: certificate, key: key)
                let reloaded = try await service.reloadTLSCertificate()
                #expect(reloaded?.sha256Fingerprint == second.sha256Fingerprint)
                try await withClient(.tls, to: server) { new in
                    try await Self.roundTrip(new, "after")
                    #expect(try await Self.presented(new) == second.sha256Fingerprint)
                }
                try await Self.roundTrip(old, "old-still-open")
                #expect(try await Self.presented(old) == first.sha256Fingerprint)

                // A key of another certificate: refused, the second certificate stays in use.
                try? FileManager.default.removeItem(atPath: key)
                try FileManager.default.copyItem(atPath: first.privateKeyPath, toPath: key)
                await #expect(throws: (any Error).self) { _ = try await service.reloadTLSCertificate() }
                try await withClient(.tls, to: server) { third in
                    try await Self.roundTrip(third, "after-bad")
                    #expect(try await Self.presented(third) == second.sha256Fingerprint)
                }
            }
        }
    }
}
