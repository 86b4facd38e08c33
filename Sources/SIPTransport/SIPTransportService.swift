public import Logging
public import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
public import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 5626 connection reuse) as a
/// swift-service-lifecycle `Service`, and the ``SIPMessageSender`` the upper layers send with.
///
/// ```swift
/// let transport = SIPTransportService(configuration: config, logger: logger)
/// transport.setReceiver(transactionLayer)          // before run(); any SIPMessageReceiver
/// let group = ServiceGroup(services: [transport, …], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// // elsewhere, once started:
/// let startup = try await transport.waitUntilStarted()   // bound ports, TLS fingerprint
/// ```
///
/// `run()` loads or creates the TLS certificate (on `NIOThreadPool.singleton`, not on an event
/// loop), binds every listener, reports ``SIPTransportStartup`` through ``waitUntilStarted()``,
/// and serves until the task is cancelled or graceful shutdown begins; then it closes listeners
/// and connections and, when it created the event loop group, shuts the group down. It runs once.
///
/// Received messages go to the receiver on the channel's event loop, with Via `received`/`rport`
/// stamped on requests and a complete ``SIPSource``. Sending: ``send(_:to:)`` and
/// ``sendResponse(_:to:)``.
public final class SIPTransportService: Service, SIPMessageSender, Sendable {
    public let configuration: SIPTransportConfiguration
    let logger: Logger
    let group: any EventLoopGroup
    private let ownsGroup: Bool
    let metrics: SIPTransportMetrics
    let state: Mutex<State>
    /// The UDP receive-backlog signal (see ``SIPIngressLoad``), for overload control above.
    public let ingressLoad: SIPIngressLoad

    struct UDPListener: Sendable {
        var bound: SocketAddress
        var channels: [any Channel]
    }

    enum Phase: Sendable { case idle, running, stopped }

    /// Datagrams each `recvmmsg` call reads (Linux; elsewhere one per call).
    static let udpVectorReadCount = 8
    /// `recvmmsg` calls per event-loop cycle.
    static let udpReadsPerCycle = 4
    /// Datagrams each UDP socket reads per event-loop cycle at most.
    static let udpMessagesPerRead = udpVectorReadCount * udpReadsPerCycle

    struct State: Sendable {
        var phase: Phase = .idle
        var receiver: (any SIPMessageReceiver)?
        /// What graceful shutdown waits for before it closes the sockets (``setDrainCondition(_:)``).
        var drainCondition: (@Sendable () -> Bool)?
        var handlerContext: SIPTransportHandlerContext?
        var udpListeners: [UDPListener] = []
        var serverChannels: [any Channel] = []
        var connections: SIPConnectionTable<any Channel>
        var pendingConnects: [PendingKey: EventLoopFuture<any Channel>] = [:]
        var tls: SIPTLSSetup?
        var startup: Result<SIPTransportStartup, any Error>?
        var startupWaiters: [CheckedContinuation<SIPTransportStartup, any Error>] = []
    }

    struct PendingKey: Hashable, Sendable {
        var transport: SIPTransportProtocol
        var address: SocketAddress
    }

    /// Creates the service. It does nothing until ``run()``.
    /// - Parameters:
    ///   - configuration: listeners, TLS, limits.
    ///   - receiver: where received messages go; may instead be set with ``setReceiver(_:)``
    ///     before `run()`. Messages received with no receiver are dropped and counted.
    ///   - eventLoopGroup: a group to use; nil creates a `MultiThreadedEventLoopGroup` with
    ///     ``SIPTransportConfiguration/eventLoopThreads`` threads, owned and shut down by the service.
    ///   - logger: metadata `sip.transport`, `sip.remote`, `sip.call_id`, `sip.connection` is added per message.
    public init(
        configuration: SIPTransportConfiguration, receiver: (any SIPMessageReceiver)? = nil,
        eventLoopGroup: (any EventLoopGroup)? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
            self.ownsGroup = true
        }
        self.metrics = SIPTransportMetrics()
        self.ingressLoad = SIPIngressLoad(maxMessagesPerRead: Self.udpMessagesPerRead)
        var initial = State(connections: SIPConnectionTable(maxConnections: configuration.limits.maxConnections))
        initial.receiver = receiver
        self.state = Mutex(initial)
    }

    /// Sets where received messages go. Call before ``run()``; later calls have no effect on
    /// running listeners.
    public func setReceiver(_ receiver: any SIPMessageReceiver) {
        state.withLock { $0.receiver = receiver }
    }

    /// Waits until every listener is bound; throws when startup failed.
    public func waitUntilStarted() async throws -> SIPTransportStartup {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<SIPTransportStartup, any Error>? in
                if let startup = state.startup { return startup }
                state.startupWaiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func reportStartup(_ result: Result<SIPTransportStartup, any Error>) {
        let waiters = state.withLock { state in
            state.startup = result
            defer { state.startupWaiters = [] }
            return state.startupWaiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The bound listeners (ephemeral ports resolved), once started.
    public func boundAddresses() async throws -> [SIPBoundListener] {
        try await waitUntilStarted().listeners
    }

    public func run() async throws {
        let context: SIPTransportHandlerContext? = state.withLock { state in
            guard state.phase == .idle else { return nil }
            state.phase = .running
            var context = SIPTransportHandlerContext(
                receiver: state.receiver, metrics: metrics, logger: logger, parserLimits: configuration.parserLimits,
                framingErrorCloseDelay: configuration.limits.framingErrorCloseDelay, ingressLoad: ingressLoad)
            context.trace = configuration.trace
            state.handlerContext = context
            return context
        }
        guard let context else { throw SIPTransportError(.invalidConfiguration, "SIPTransportService.run() called twice") }
        do {
            let startup = try await start(context: context)
            reportStartup(.success(startup))
            logger.info(
                "SIP transport listening",
                metadata: ["sip.listeners": "\(startup.listeners.map(\.description).joined(separator: " "))"])
            let stop = group.any().makePromise(of: Void.self)
            await withTaskCancellationOrGracefulShutdownHandler {
                try? await stop.futureResult.get()
            } onCancelOrGracefulShutdown: {
                stop.succeed(())
            }
            if !Task.isCancelled { await drain() }
        } catch {
            reportStartup(.failure(error))
            await shutdown()
            throw error
        }
        await shutdown()
    }

    private func start(context: SIPTransportHandlerContext) async throws -> SIPTransportStartup {
        let configuration = self.configuration
        var tls: SIPTLSSetup?
        let needsTLS = configuration.listeners.contains { $0.url.transport == .tls }
        if needsTLS {
            tls = try await NIOThreadPool.singleton.runIfActive { () throws -> SIPTLSSetup in
                try SIPTLSSetup.load(configuration: configuration)
            }
            if let info = tls?.info {
                logger.info(
                    "TLS certificate",
                    metadata: [
                        "sip.tls.certificate": "\(info.certificatePath)", "sip.tls.sha256": "\(info.sha256Fingerprint)",
                        "sip.tls.self_signed": "\(info.isSelfSigned)", "sip.tls.created": "\(info.wasCreated)",
                    ])
            }
        }
        state.withLock { $0.tls = tls }
        var bound: [SIPBoundListener] = []
        for (index, listener) in configuration.listeners.enumerated() {
            let address = try listener.url.socketAddress()
            do {
                switch listener.url.transport {
                case .udp:
                    bound.append(SIPBoundListener(configured: listener, address: try await bindUDP(address, context: context)))
                case .tcp, .tls:
                    let sslContext = listener.url.transport == .tls ? tls?.serverContexts[index] : nil
                    let channel = try await bindStream(address, transport: listener.url.transport, ssl: sslContext, context: context)
                    bound.append(SIPBoundListener(configured: listener, address: channel.localAddress ?? address))
                }
            } catch let error as SIPTransportError {
                throw error
            } catch {
                throw SIPTransportError(.bindFailed, "\(listener.url): \(error)")
            }
        }
        return SIPTransportStartup(listeners: bound, tlsCertificate: tls?.info)
    }

    /// Binds `udpChannelsPerListener` sockets to one address (SO_REUSEPORT when more than one),
    /// each on its own event loop.
    private func bindUDP(_ address: SocketAddress, context: SIPTransportHandlerContext) async throws -> SocketAddress {
        let count = configuration.udpChannelsPerListener
        var channels: [any Channel] = []
        var target = address
        var loops = group.makeIterator()
        for _ in 0..<count {
            let loop = loops.next() ?? group.next()
            var bootstrap = DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(configuration.udpReceiveBufferSize))
                // A vector read splits the buffer evenly between its datagrams: room for the largest each.
                .channelOption(
                    .recvAllocator,
                    value: FixedSizeRecvByteBufferAllocator(
                        capacity: configuration.limits.maxDatagramSize * Self.udpVectorReadCount))
                .channelOption(.maxMessagesPerRead, value: UInt(Self.udpReadsPerCycle))
                .channelOption(.datagramVectorReadMessageCount, value: Self.udpVectorReadCount)
            if count > 1 { bootstrap = bootstrap.channelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1) }
            let channel = try await bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(context: context))
                }
            }.bind(to: target).get()
            channels.append(channel)
            if let bound = channel.localAddress { target = bound }
        }
        if count > 1, let first = channels.first {
            do { try await SIPReusePortDistribution.attach(to: first, sockets: count) } catch {
                logger.notice(
                    "UDP datagrams of one sender stay on one event loop (SO_ATTACH_REUSEPORT_CBPF refused)",
                    metadata: ["error": "\(error)"])
            }
        }
        let bound = target
        state.withLock { $0.udpListeners.append(UDPListener(bound: bound, channels: channels)) }
        return bound
    }

    private func bindStream(
        _ address: SocketAddress, transport: SIPTransportProtocol, ssl: NIOSSLContext?, context: SIPTransportHandlerContext
    ) async throws -> any Channel {
        if transport == .tls && ssl == nil { throw SIPTransportError(.tlsSetup, "no TLS context for \(address)") }
        let limits = configuration.limits
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: limits.maxBufferedBytesPerConnection / 2, high: limits.maxBufferedBytesPerConnection))
            .childChannelInitializer { [self] channel in
                self.acceptConnection(channel, transport: transport, ssl: ssl, context: context)
            }
            .bind(to: address).get()
        state.withLock { $0.serverChannels.append(channel) }
        return channel
    }

    /// Registers an accepted connection (closing it when the table is full) and builds its pipeline.
    private func acceptConnection(
        _ channel: any Channel, transport: SIPTransportProtocol, ssl: NIOSSLContext?, context: SIPTransportHandlerContext
    ) -> EventLoopFuture<Void> {
        let id = SIPConnectionID.next()
        guard let remote = channel.remoteAddress,
            register(channel, id: id, transport: transport, remote: remote, outbound: false)
        else {
            metrics.dropped(transport, reason: "connection_limit")
            logger.warning("connection limit reached, refusing connection", metadata: ["sip.transport": "\(transport)"])
            return channel.eventLoop.makeFailedFuture(SIPTransportError(.connectionLimit, "connection table full"))
        }
        return channel.eventLoop.makeCompletedFuture {
            try self.addStreamHandlers(to: channel, transport: transport, id: id, context: context, sslHandler: ssl.map { NIOSSLServerHandler(context: $0) })
        }
    }

    /// The stream pipeline: [TLS] → SIPIdleTimeoutHandler → SIPStreamDecoder → SIPStreamConnectionHandler.
    func addStreamHandlers(
        to channel: any Channel, transport: SIPTransportProtocol, id: SIPConnectionID,
        context: SIPTransportHandlerContext, sslHandler: NIOSSLHandler?
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let sslHandler { try pipeline.addHandler(sslHandler) }
        try pipeline.addHandler(SIPIdleTimeoutHandler(timeout: configuration.limits.idleTimeout))
        try pipeline.addHandler(ByteToMessageHandler(SIPStreamDecoder(limits: configuration.parserLimits)))
        try pipeline.addHandler(SIPStreamConnectionHandler(context: context, transport: transport, connectionID: id))
    }

    /// Adds a connection to the table and removes it when it closes; false when the table is full.
    func register(
        _ channel: any Channel, id: SIPConnectionID, transport: SIPTransportProtocol, remote: SocketAddress, outbound: Bool
    ) -> Bool {
        let entry = SIPConnectionTable<any Channel>.Entry(
            id: id, transport: transport, remote: remote, local: channel.localAddress, outbound: outbound, handle: channel)
        let inserted = state.withLock { state in
            state.phase == .running && state.connections.insert(entry)
        }
        guard inserted else { return false }
        metrics.connectionOpened(transport)
        channel.closeFuture.whenComplete { [self] _ in
            if self.state.withLock({ $0.connections.remove(id) }) != nil { self.metrics.connectionClosed(transport) }
        }
        return true
    }

    private func shutdown() async {
        let channels: [any Channel] = state.withLock { state in
            state.phase = .stopped
            var all = state.serverChannels
            for listener in state.udpListeners { all.append(contentsOf: listener.channels) }
            all.append(contentsOf: state.connections.allEntries.map(\.handle))
            state.serverChannels = []
            state.udpListeners = []
            return all
        }
        for channel in channels { try? await channel.close() }
        if ownsGroup { try? await group.shutdownGracefully() }
    }
}

extension SIPConnectionID {
    private static let counter = Atomic<UInt64>(0)
    /// A new process-unique id.
    static func next() -> SIPConnectionID {
        SIPConnectionID(rawValue: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }
}
