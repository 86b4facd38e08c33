import Foundation
import NIOCore
import NIOSSL
import Provisioning
import SIPCore
import SIPStorage
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// SIGHUP's certificate reload on the whole server (``SwitchboardApplication/reload()``, what the
/// signal runs): new SIP TLS and HTTPS connections present the certificate now in the data
/// dir; an open TLS connection and the registrations stay.
@Suite("Server: TLS certificates reloaded for new connections", .timeLimit(.minutes(2)))
struct ServerTLSReloadTests {
    /// The DER of the certificate the server presented on `channel`, once the handshake is done.
    static func presented(_ channel: any Channel) async throws -> [UInt8] {
        for _ in 0..<500 {
            let der = try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate?.toDERBytes()
            }.get()
            if let der { return der }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw SIPTransportError(.tlsSetup, "no handshake within 5 s")
    }

    static func leaf(_ path: String) throws -> [UInt8] {
        try #require(try NIOSSLCertificate.fromPEMFile(path).first).toDERBytes()
    }

    @Test("After reload() new SIP TLS and HTTPS connections get the new certificate; an open one and the bindings stay")
    func reload() async throws {
        try await RunningServer.with { server in
            let app = server.application
            let tls = app.configuration.dataDirectory + "/" + SIPSelfSignedCertificate.directoryName
            let certificate = tls + "/" + SIPSelfSignedCertificate.certificateFileName
            let key = tls + "/" + SIPSelfSignedCertificate.privateKeyFileName
            let before = try Self.leaf(certificate)
            try await ServerOperationsTests.addUsers(server, ["69"])
            try await ServerOperationsTests.register(server, user: "69", instrument: "0000DEADBEEF", password: "pw-69")
            #expect(app.location.count == 1)
            let provisioningPort = try #require(try await app.provisioning?.listeningPort())
            let https = try SocketAddress(ipAddress: "127.0.0.1", port: provisioningPort)

            try await withClient(.tls, to: try server.address(.tls)) { old in
                let first = try await Self.presented(old.channel)
                #expect(first == before)
                // Another certificate in place of the data dir's.
                let other = FileManager.default.temporaryDirectory.appendingPathComponent("sb-reload-\(UInt64.random(in: 0...UInt64.max))").path
                defer { try? FileManager.default.removeItem(atPath: other) }
                let fresh = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: other, domains: ["example.net"])
                for (from, to) in [(fresh.certificatePath, certificate), (fresh.privateKeyPath, key)] {
                    try FileManager.default.removeItem(atPath: to)
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                }
                let after = try Self.leaf(certificate)
                #expect(after != before)

                await app.reload()
                let sip = try await withClient(.tls, to: try server.address(.tls)) { new in try await Self.presented(new.channel) }
                #expect(sip == after, "SIP TLS")
                let http = try await withClient(.tls, to: https) { new in try await Self.presented(new.channel) }
                #expect(http == after, "the configuration service")
                try await old.send(Requests.options(old, callID: "still-open"))
                #expect(try await old.inbox.nextFinalResponse().statusCode == 200, "the open connection goes on")
                let still = try await Self.presented(old.channel)
                #expect(still == before)
            }
            #expect(app.location.count == 1, "no binding dropped")
        }
    }
}
