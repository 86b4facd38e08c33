public import NIOCore
import NIOPosix
import NIOSSL
public import SIPTransport

/// A SIP client on loopback for integration tests: UDP, TCP or TLS (certificate verification
/// off: test servers use self-signed certificates), with everything it receives in ``inbox``.
public final class SIPTestClient: Sendable {
    public let channel: any Channel
    public let inbox: Inbox
    public let transport: SIPTransportProtocol
    public let server: SocketAddress

    private init(channel: any Channel, inbox: Inbox, transport: SIPTransportProtocol, server: SocketAddress) {
        self.channel = channel
        self.inbox = inbox
        self.transport = transport
        self.server = server
    }

    /// Opens a client to `server`: a UDP socket on the loopback address of the server's family,
    /// or a TCP/TLS connection.
    public static func connect(
        _ transport: SIPTransportProtocol, to server: SocketAddress
    ) async throws -> SIPTestClient {
        let inbox = Inbox()
        let group = MultiThreadedEventLoopGroup.singleton
        let channel: any Channel
        switch transport {
        case .udp:
            let host = server.protocol == .inet6 ? "::1" : "127.0.0.1"
            channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramInboxHandler(inbox: inbox))
                    }
                }
                .bind(host: host, port: 0).get()
        case .tcp, .tls:
            let tls: NIOSSLContext?
            if transport == .tls {
                var configuration = TLSConfiguration.makeClientConfiguration()
                configuration.certificateVerification = .none
                tls = try NIOSSLContext(configuration: configuration)
            } else {
                tls = nil
            }
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHandler(StreamInboxHandler(inbox: inbox))
                    }
                }
                .connect(to: server).get()
        }
        return SIPTestClient(channel: channel, inbox: inbox, transport: transport, server: server)
    }

    /// `host:port` of this client as a Via sent-by (IPv6 in brackets).
    public var sentBy: String {
        guard let local = channel.localAddress, let ip = local.ipAddress, let port = local.port else {
            return "invalid"
        }
        return local.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// A Via value for a request from this client (RFC 3261 §18.1.1, with `rport`).
    public func via(branch: String) -> String {
        SIPTestRequest.via(transport.rawValue, sentBy: sentBy, branch: branch)
    }

    public func send(_ text: String) async throws {
        try await send(bytes: Array(text.utf8))
    }

    public func send(bytes: [UInt8]) async throws {
        let buffer = channel.allocator.buffer(bytes: bytes)
        if transport == .udp {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: buffer))
        } else {
            try await channel.writeAndFlush(buffer)
        }
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Runs `body` with a connected client and closes it afterwards.
public func withClient<T>(
    _ transport: SIPTransportProtocol, to server: SocketAddress, _ body: (SIPTestClient) async throws -> T
) async throws -> T {
    let client = try await withDeadline("a \(transport) connection") {
        try await SIPTestClient.connect(transport, to: server)
    }
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}
