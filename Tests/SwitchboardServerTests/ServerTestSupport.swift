import AdminAPI
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import SIPTransport
import ServiceLifecycle
import Synchronization
import SwitchboardServer
import Testing

/// A wait that took too long.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `operation`, failing with ``TimedOut`` after `seconds` (a bound on a wait, not a delay).
func withDeadline<T: Sendable>(
    _ what: String, seconds: Double = 10, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// A Switchboard running on loopback with ephemeral ports, its data in a fresh temporary
/// directory: UDP, TCP and TLS on 127.0.0.1, UDP on [::1], the admin API on 127.0.0.1.
struct RunningServer {
    static let domain = "example.net"

    let application: SwitchboardApplication
    let listeners: [SIPBoundListener]
    let adminPort: Int

    func address(_ transport: SIPTransportProtocol, ipv6: Bool = false) throws -> SocketAddress {
        let listener = listeners.first { listener in
            guard listener.transport == transport else { return false }
            if case .v6 = listener.address { return ipv6 }
            return !ipv6
        }
        return try #require(listener).address
    }

    /// How a test stops the server.
    enum Stop {
        /// Graceful shutdown inherited from an enclosing `ServiceGroup`, as SIGTERM does.
        case graceful
        /// Cancelling the task that runs ``SwitchboardApplication/run()``.
        case cancel
    }

    /// Starts a server, runs `body`, then stops it and waits (bounded) for `run()` to return.
    /// With `.graceful`, `run()` must return without error.
    ///
    /// - Parameter configure: changes to the test configuration (loopback listeners, temporary
    ///   data dir, defaults otherwise), applied before the server is built.
    static func with(
        stop: Stop = .graceful, configure: (inout SwitchboardConfiguration) -> Void = { _ in },
        _ body: (RunningServer) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-server-tests-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var configuration = SwitchboardConfiguration()
        configuration.domains = [domain]
        configuration.dataDirectory = directory
        configuration.sip.listeners = ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "tls://127.0.0.1:0", "udp://[::1]:0"]
        configuration.admin.listen = "http://127.0.0.1:0"
        configuration.auth = AuthConfiguration(domains: [domain])
        configure(&configuration)
        var logger = Logger(label: "switchboard-server-tests")
        // Cancellation is not a graceful stop: Hummingbird logs errors about it, which are expected.
        logger.logLevel = stop == .cancel ? .critical : .error

        let application = try await SwitchboardApplication(configuration: configuration, logger: logger)
        // The application inside an outer group (no signals), so the test can shut it down
        // gracefully the way SIGTERM does: run() inherits the outer group's graceful shutdown.
        let outer = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [ApplicationService(application: application)], logger: logger))
        let task = Task { try await outer.run() }
        do {
            let listeners = try await withDeadline("SIP listeners") { try await application.sipListeners() }
            let adminPort = try await withDeadline("admin listener") { try await application.admin.listeningPort() }
            try await body(RunningServer(application: application, listeners: listeners, adminPort: adminPort))
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
        switch stop {
        case .graceful:
            await outer.triggerGracefulShutdown()
            try await withDeadline("the server to shut down gracefully") { try await task.value }
        case .cancel:
            task.cancel()
            _ = try await withDeadline("the server to stop after cancellation") { await task.result }
        }
    }
}

/// Runs ``SwitchboardApplication/run()`` as a service of an enclosing group.
struct ApplicationService: Service {
    let application: SwitchboardApplication
    func run() async throws { try await application.run() }
}

/// Messages received by a test client, in order. Reads poll with a deadline.
final class Inbox: Sendable {
    private let messages = Mutex<[SIPMessage]>([])
    private let unparsable = Mutex(0)

    func deliver(_ message: SIPMessage) { messages.withLock { $0.append(message) } }
    func reject() { unparsable.withLock { $0 += 1 } }

    var count: Int { messages.withLock { $0.count } }
    var unparsableCount: Int { unparsable.withLock { $0 } }

    /// The next message, waiting up to `seconds`.
    func next(within seconds: Double = 5) async throws -> SIPMessage {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let message = messages.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return message }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimedOut(what: "a SIP message")
    }

    /// The next response, skipping provisional ones.
    func nextFinalResponse(within seconds: Double = 5) async throws -> SIPResponse {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let left = deadline - ContinuousClock.now
            let message = try await next(within: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            if let response = message.response, response.isFinal { return response }
        }
    }
}

/// Parses each UDP datagram into the inbox.
final class DatagramInboxHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let inbox: Inbox
    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if let message = try? SIPMessageParser().parse(Array(envelope.data.readableBytesView), framing: .datagram) {
            inbox.deliver(message)
        } else {
            inbox.reject()
        }
    }
}

/// Frames a TCP/TLS byte stream with ``SIPStreamFramer`` into the inbox.
final class StreamInboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let inbox: Inbox
    var pending: [UInt8] = []
    var framer = SIPStreamFramer()
    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        while true {
            let step = pending.withUnsafeBytes { framer.next($0) }
            switch step {
            case .needMoreData:
                return
            case .keepAlive(let consumed, _):
                pending.removeFirst(consumed)
            case .message(let message, let consumed):
                pending.removeFirst(consumed)
                inbox.deliver(message)
            case .invalidMessage(_, let consumed):
                pending.removeFirst(consumed)
                inbox.reject()
            case .framingError:
                inbox.reject()
                pending = []
                return
            }
        }
    }
}

/// A SIP client on loopback: UDP, TCP or TLS (certificate verification off: the server's
/// certificate is self-signed).
final class SIPTestClient: Sendable {
    let channel: any Channel
    let inbox: Inbox
    let transport: SIPTransportProtocol
    let server: SocketAddress

    private init(channel: any Channel, inbox: Inbox, transport: SIPTransportProtocol, server: SocketAddress) {
        self.channel = channel
        self.inbox = inbox
        self.transport = transport
        self.server = server
    }

    static func connect(_ transport: SIPTransportProtocol, to server: SocketAddress) async throws -> SIPTestClient {
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
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHandler(StreamInboxHandler(inbox: inbox))
                    }
                }
                .connect(to: server).get()
        }
        return SIPTestClient(channel: channel, inbox: inbox, transport: transport, server: server)
    }

    /// `host:port` of this client as a Via sent-by (IPv6 in brackets).
    var sentBy: String {
        guard let local = channel.localAddress, let ip = local.ipAddress, let port = local.port else { return "invalid" }
        return local.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    func send(_ text: String) async throws {
        try await send(bytes: Array(text.utf8))
    }

    func send(bytes: [UInt8]) async throws {
        let buffer = channel.allocator.buffer(bytes: bytes)
        if transport == .udp {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: buffer))
        } else {
            try await channel.writeAndFlush(buffer)
        }
    }

    func close() async {
        try? await channel.close()
    }
}

/// Runs `body` with a connected client and closes it afterwards.
func withClient<T>(
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

/// SIP request texts as a phone sends them.
enum Requests {
    static func options(_ client: SIPTestClient, callID: String, uri: String = "sip:example.net") -> String {
        [
            "OPTIONS \(uri) SIP/2.0",
            "Via: SIP/2.0/\(client.transport.rawValue) \(client.sentBy);branch=z9hG4bK-\(callID);rport",
            "Max-Forwards: 70",
            "From: <sip:tester@example.net>;tag=opt1",
            "To: <sip:example.net>",
            "Call-ID: \(callID)",
            "CSeq: 1 OPTIONS",
            "Accept: application/sdp",
            "Content-Length: 0",
            "", "",
        ].joined(separator: "\r\n")
    }

    static func register(
        _ client: SIPTestClient, user: String, callID: String, cseq: Int, authorization: String? = nil
    ) -> String {
        var lines = [
            "REGISTER sip:example.net SIP/2.0",
            "Via: SIP/2.0/\(client.transport.rawValue) \(client.sentBy);branch=z9hG4bK-\(callID)-\(cseq);rport",
            "Max-Forwards: 70",
            "From: <sip:\(user)@example.net>;tag=reg\(user)",
            "To: <sip:\(user)@example.net>",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) REGISTER",
            "Contact: <sip:\(user)@\(client.sentBy)>",
            "Expires: 600",
            "User-Agent: SwitchboardServerTests",
        ]
        if let authorization { lines.append("Authorization: \(authorization)") }
        lines.append(contentsOf: ["Content-Length: 0", "", ""])
        return lines.joined(separator: "\r\n")
    }
}

/// A one-shot HTTP/1.1 GET over a plain TCP connection (`Connection: close`), for the admin API.
final class HTTPResponseCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let state = Mutex((bytes: [UInt8](), closed: false))

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = Array(unwrapInboundIn(data).readableBytesView)
        state.withLock { $0.bytes += chunk }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.closed = true }
        context.fireChannelInactive()
    }

    var finished: (bytes: [UInt8], closed: Bool) { state.withLock { $0 } }
}

func httpGet(port: Int, path: String) async throws -> (status: Int, body: [UInt8]) {
    let collector = HTTPResponseCollector()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.seconds(5))
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
        }
        .connect(host: "127.0.0.1", port: port).get()
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n\r\n"
    try await channel.writeAndFlush(channel.allocator.buffer(string: request))
    let deadline = ContinuousClock.now + .seconds(5)
    while !collector.finished.closed {
        guard ContinuousClock.now < deadline else {
            try? await channel.close()
            throw TimedOut(what: "the admin API's answer")
        }
        try await Task.sleep(for: .milliseconds(5))
    }
    let bytes = collector.finished.bytes
    let text = String(decoding: bytes, as: UTF8.self)
    guard let headerEnd = text.range(of: "\r\n\r\n"),
        let status = Int(text.split(separator: " ", maxSplits: 2).dropFirst().first ?? "")
    else { throw TimedOut(what: "a well-formed HTTP response") }
    var body = Array(text[headerEnd.upperBound...].utf8)
    if text[..<headerEnd.lowerBound].lowercased().contains("transfer-encoding: chunked") {
        body = dechunk(body)
    }
    return (status, body)
}

/// Decodes an HTTP/1.1 chunked body (RFC 9112 §7.1).
func dechunk(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 0x0D && bytes[$0 + 1] == 0x0A }) else { break }
        let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
        let start = lineEnd + 2
        guard start + size <= bytes.count else { break }
        output += bytes[start..<start + size]
        index = start + size + 2
    }
    return output
}
