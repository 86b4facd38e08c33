import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPCore
import Testing

@testable import SIPTransport

/// Answers every request with 200 through the transport it came from.
final class AnsweringReceiver: SIPMessageReceiver {
    let received = StreamingReceiver()
    let sender: SIPTransportService
    init(sender: SIPTransportService) { self.sender = sender }
    func receive(_ incoming: SIPIncomingMessage) {
        received.receive(incoming)
        guard case .request(let request) = incoming.message else { return }
        let sender = self.sender
        Task { try await sender.sendResponse(SIPResponse(answering: request, statusCode: 200, toTag: "srv"), to: incoming.source) }
    }
}

@Suite("Integration over loopback sockets", .serialized)
struct IntegrationTests {
    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sbtransport-\(UInt64.random(in: 0...UInt64.max))").path
    }

    func withServer(
        _ urls: [String], tls: SIPTLSSettings = SIPTLSSettings(), clientCertificates: SIPTLSClientVerification = .none,
        _ body: (SIPTransportService, AnsweringReceiver, SIPTransportStartup) async throws -> Void
    ) async throws {
        let listeners = try urls.map { SIPListener(url: try SIPListenerURL(parsing: $0), clientCertificates: clientCertificates) }
        let config = SIPTransportConfiguration(listeners: listeners, tls: tls, eventLoopThreads: 2)
        let service = SIPTransportService(configuration: config, logger: Fixtures.logger)
        let receiver = AnsweringReceiver(sender: service)
        service.setReceiver(receiver)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            do {
                let startup = try await service.waitUntilStarted()
                try await body(service, receiver, startup)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["127.0.0.1", "::1"])
    func udpRequestAndResponsePath(host: String) async throws {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        try await withServer(["udp://\(bracketed):0"]) { _, receiver, startup in
            let server = try #require(startup.listeners.first).address
            #expect(server.port != 0)
            let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: host, port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
            let clientAddress = try #require(client.channel.localAddress)
            try await client.executeThenClose { inbound, outbound in
                // sent-by names another host: the response must still come back to the source (received + rport).
                let request = Fixtures.options(via: "SIP/2.0/UDP phone.invalid:5999;branch=z9hG4bKudp;rport")
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: request)))
                let got = try #require(await receiver.received.next())
                #expect(got.source.transport == .udp)
                #expect(got.source.remote == clientAddress)
                #expect(got.source.local.port == server.port)
                #expect(got.source.connectionID == nil)
                let via = try #require(got.message.request).topVia
                #expect(via.rport == .some(clientAddress.port!) && via.received == clientAddress.ipAddress)
                var iterator = inbound.makeAsyncIterator()
                let reply = try #require(try await iterator.next())
                #expect(reply.remoteAddress == server, "answered from the listener's own port")
                let response = try #require(try Fixtures.parse(reply.data.text).response)
                #expect(response.statusCode == 200 && response.callID == "a84b4c76e66710")
            }
        }
    }

    /// A UDP client on 127.0.0.1 whose outbound writer `body` uses.
    static func withDatagramClient(
        _ body: (NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>) async throws -> Void
    ) async throws {
        let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        try await client.executeThenClose { _, outbound in try await body(outbound) }
    }

    @Test("UDP: a 20,000-byte datagram arrives whole (vector reads leave room for the largest datagram each)", .timeLimit(.minutes(1)))
    func largeDatagramArrivesWhole() async throws {
        try await withServer(["udp://127.0.0.1:0"]) { _, receiver, startup in
            let server = try #require(startup.listeners.first).address
            try await Self.withDatagramClient { outbound in
                let body = String(repeating: "x", count: 20_000)
                let request = Fixtures.options(via: "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbig;rport", body: body)
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: request)))
                let got = try #require(await receiver.received.next())
                #expect(try #require(got.message.request).body.count == 20_000)
            }
        }
    }

    #if os(Linux)
    @Test(
        "UDP: datagrams from ONE client address are spread over every event loop's socket (SO_ATTACH_REUSEPORT_CBPF)",
        .timeLimit(.minutes(1)))
    func udpFromOneSenderUsesEveryLoop() async throws {
        try await withServer(["udp://127.0.0.1:0"]) { _, receiver, startup in
            let server = try #require(startup.listeners.first).address
            try await Self.withDatagramClient { outbound in
                var loops: Set<ObjectIdentifier> = []
                for index in 0..<64 {
                    let request = Fixtures.options(via: "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKspread\(index);rport")
                    try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: request)))
                    let got = try #require(await receiver.received.next())
                    loops.insert(ObjectIdentifier(try #require(got.eventLoop)))
                }
                // 64 datagrams, 2 sockets, random choice: all on one loop has probability 2^-63.
                #expect(loops.count == 2)
            }
        }
    }
    #endif

    @Test(.timeLimit(.minutes(1)), arguments: ["127.0.0.1", "::1"])
    func tcpRequestAndResponseOnSameConnection(host: String) async throws {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        try await withServer(["tcp://\(bracketed):0"]) { _, receiver, startup in
            let server = try #require(startup.listeners.first).address
            let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(to: server) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let clientAddress = try #require(client.channel.localAddress)
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "\r\n\r\n"))
                let request = Fixtures.options(via: "SIP/2.0/TCP \(bracketed):5060;branch=z9hG4bKtcp;rport")
                try await outbound.write(ByteBuffer(string: request))
                let got = try #require(await receiver.received.next())
                #expect(got.source.transport == .tcp && got.source.remote == clientAddress && got.source.connectionID != nil)
                #expect(got.source.local == server)
                var bytes = ""
                var iterator = inbound.makeAsyncIterator()
                while !bytes.contains("Content-Length: 0\r\n\r\n"), let chunk = try await iterator.next() { bytes += chunk.text }
                #expect(Array(bytes.utf8.prefix(2)) == [13, 10], "pong before the response")
                let response = try #require(try SIPMessageParser().parse(Array(bytes.utf8.dropFirst(2))).response)
                #expect(response.statusCode == 200)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["127.0.0.1", "::1"])
    func tlsBetweenTwoServicesWithClientCertificate(host: String) async throws {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let serverDir = Self.tempDir()
        let clientDir = Self.tempDir()
        defer {
            try? FileManager.default.removeItem(atPath: serverDir)
            try? FileManager.default.removeItem(atPath: clientDir)
        }
        let serverCert = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: serverDir, domains: [])
        let clientCert = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: clientDir, domains: ["phone.example"])
        try await withServer(
            ["tls://\(bracketed):0"], tls: SIPTLSSettings(dataDirectory: serverDir),
            clientCertificates: .request(caBundlePath: clientCert.certificatePath)
        ) { _, serverReceiver, startup in
            #expect(startup.tlsCertificate?.sha256Fingerprint == serverCert.sha256Fingerprint)
            let server = try #require(startup.listeners.first).address
            let clientTLS = SIPTLSSettings(
                dataDirectory: clientDir, outboundVerification: .noHostnameVerification,
                outboundTrustRootsPath: serverCert.certificatePath)
            try await withServer(["tls://\(bracketed):0"], tls: clientTLS) { client, clientReceiver, _ in
                let request = try Fixtures.request(Fixtures.options(via: "SIP/2.0/TLS \(bracketed):5061;branch=z9hG4bKtls"))
                try await client.send(.request(request), to: SIPDestination(transport: .tls, address: server))
                let got = try #require(await serverReceiver.received.next())
                #expect(got.source.transport == .tls && got.source.local == server && got.source.connectionID != nil)
                let peer = try #require(got.source.peerCertificate)
                #expect(peer.sha256Fingerprint == clientCert.sha256Fingerprint)
                #expect(peer.subjectAlternativeNames.contains("DNS:phone.example"))
                let response = try #require(await clientReceiver.received.next())
                #expect(response.message.response?.statusCode == 200)
                #expect(response.source.transport == .tls && response.source.remote == server)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func largeRequestGoesOverTCPAndFallsBackToUDP() async throws {
        let big = String(repeating: "a", count: 1400)
        try await withServer(["tcp://127.0.0.1:0"]) { _, tcpReceiver, tcpStartup in
            try await withServer(["udp://127.0.0.1:0"]) { client, udpReceiver, udpStartup in
                // A UDP destination whose port has a TCP listener: switched to TCP, Via rewritten.
                let tcpPort = try #require(tcpStartup.listeners.first?.address.port)
                let request = try Fixtures.request(Fixtures.options(via: "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbig", body: big))
                try await client.send(
                    .request(request), to: SIPDestination(transport: .udp, address: try SocketAddress(ipAddress: "127.0.0.1", port: tcpPort)))
                let overTCP = try #require(await tcpReceiver.received.nextRequest())
                #expect(overTCP.source.transport == .tcp)
                #expect(try overTCP.message.request?.topVia.transport == "TCP")
                #expect(try overTCP.message.request?.topVia.branch == "z9hG4bKbig")
                #expect(overTCP.message.body == Array(big.utf8))

                // A UDP destination with no TCP listener: the TCP attempt is refused, UDP is used.
                let udp = try #require(udpStartup.listeners.first?.address)
                try await client.send(.request(request), to: SIPDestination(transport: .udp, address: udp))
                let overUDP = try #require(await udpReceiver.received.nextRequest())
                #expect(overUDP.source.transport == .udp)
                #expect(try overUDP.message.request?.topVia.transport == "UDP")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func responseReopensConnectionWhenTheOriginalIsGone() async throws {
        try await withServer(["tcp://127.0.0.1:0"]) { phone, phoneReceiver, phoneStartup in
            try await withServer(["tcp://127.0.0.1:0"]) { server, serverReceiver, serverStartup in
                let phonePort = try #require(phoneStartup.listeners.first?.address.port)
                let serverAddress = try #require(serverStartup.listeners.first?.address)
                let request = try Fixtures.request(Fixtures.options(via: "SIP/2.0/TCP 127.0.0.1:\(phonePort);branch=z9hG4bKre"))
                try await phone.send(.request(request), to: SIPDestination(transport: .tcp, address: serverAddress))
                _ = try #require(await serverReceiver.received.next())
                let first = try #require(await phoneReceiver.received.next())
                #expect(first.message.response?.statusCode == 200)
                // Pretend the request's connection is gone: the server must connect to sent-by.
                let stale = SIPSource(
                    transport: .tcp, remote: try SocketAddress(ipAddress: "127.0.0.1", port: 1), local: serverAddress,
                    connectionID: SIPConnectionID(rawValue: .max))
                try await server.sendResponse(SIPResponse(answering: request, statusCode: 202, toTag: "x"), to: stale)
                let second = try #require(await phoneReceiver.received.next())
                #expect(second.message.response?.statusCode == 202)
                #expect(second.source.local.port == phonePort, "arrived on the phone's listener, over a new connection")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bindConflictIsATypedStartupError() async throws {
        try await withServer(["tcp://127.0.0.1:0"]) { _, _, startup in
            let port = try #require(startup.listeners.first?.address.port)
            let config = SIPTransportConfiguration(
                listeners: [SIPListener(url: SIPListenerURL(transport: .tcp, host: "127.0.0.1", port: port))], eventLoopThreads: 1)
            let second = SIPTransportService(configuration: config, logger: Fixtures.logger)
            await #expect(throws: SIPTransportError.self) { try await second.run() }
            await #expect(throws: SIPTransportError.self) { try await second.waitUntilStarted() }
        }
    }
}
