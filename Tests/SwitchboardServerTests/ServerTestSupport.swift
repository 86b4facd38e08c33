import AdminAPI
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPCore
import SIPTestSupport
import SIPTransport
import ServiceLifecycle
import Synchronization
import SwitchboardServer
import Testing

/// A Switchboard running on loopback with ephemeral ports, its data in a fresh temporary
/// directory: UDP, TCP and TLS on 127.0.0.1, UDP on [::1], the admin API on 127.0.0.1.
struct RunningServer {
    static let domain = "example.net"
    /// The repository's `conf/templates`.
    static let templatesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conf/templates").path

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
        stop: Stop = .graceful, metrics: SwitchboardMetrics? = nil, configure: (inout SwitchboardConfiguration) -> Void = { _ in },
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
        configuration.provisioning.listen = "https://127.0.0.1:0"
        configuration.provisioning.templatesDirectory = Self.templatesDirectory
        configuration.auth = AuthConfiguration(domains: [domain])
        configure(&configuration)
        var logger = Logger(label: "switchboard-server-tests")
        // Cancellation is not a graceful stop: Hummingbird logs errors about it, which are expected.
        logger.logLevel = stop == .cancel ? .critical : .error

        let application = try await SwitchboardApplication(configuration: configuration, logger: logger, metrics: metrics)
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

/// SIP request texts as a phone sends them.
enum Requests {
    static func options(_ client: SIPTestClient, callID: String, uri: String = "sip:example.net") -> String {
        SIPTestRequest.options(
            uri: uri, via: client.via(branch: "z9hG4bK-\(callID)"), from: "<sip:tester@example.net>;tag=opt1",
            to: "<sip:example.net>", callID: callID, cseq: 1, headers: ["Accept: application/sdp"]
        ).text
    }

    static func register(
        _ client: SIPTestClient, user: String, callID: String, cseq: Int, authorization: String? = nil
    ) -> String {
        SIPTestRequest.register(
            user: user, via: client.via(branch: "z9hG4bK-\(callID)-\(cseq)"), callID: callID, cseq: UInt32(cseq),
            contacts: ["<sip:\(user)@\(client.sentBy)>"], expires: 600, headers: ["User-Agent: SwitchboardServerTests"],
            authorization: authorization
        ).text
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
