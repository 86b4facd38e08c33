import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import SIPCore
import Synchronization

extension SIPTransportService {
    /// Sends a message to `destination` (RFC 3261 §18.1.1).
    ///
    /// - UDP: from a UDP listener of the destination's address family (so the source port is the
    ///   listener's). A request larger than ``SIPTransportLimits/effectiveUDPThreshold`` goes over
    ///   TCP with its top Via transport rewritten, falling back to UDP when no TCP connection can
    ///   be opened (see ``SIPOutboundTransportSelection``).
    /// - TCP/TLS: over the connection named by `destination.connectionID` when still open (RFC 5626
    ///   flow), else over an open connection to the address, else over a new connection (counted
    ///   in the table and subject to ``SIPTransportLimits/maxConnections``).
    public func send(_ message: SIPMessage, to destination: SIPDestination) async throws {
        switch destination.transport {
        case .udp:
            let bytes = message.serialized()
            if case .request(let request) = message, destination.connectionID == nil,
                SIPOutboundTransportSelection.shouldSwitchToTCP(requestSize: bytes.count, limits: configuration.limits),
                let overTCP = SIPOutboundTransportSelection.rewritingTopViaTransport(request, to: .tcp)
            {
                do {
                    try await sendStream(.request(overTCP), to: SIPDestination(transport: .tcp, address: destination.address))
                    return
                } catch let error as SIPTransportError where error.code == .connectFailed {
                    logger.debug(
                        "large request: TCP failed, falling back to UDP (RFC 3261 §18.1.1)",
                        metadata: ["sip.remote": "\(destination.address.sipHostPort)", "sip.call_id": "\(request.callID ?? "")"])
                }
            }
            try await sendDatagram(bytes, message: message, to: destination.address, from: nil)
        case .tcp, .tls:
            try await sendStream(message, to: destination)
        }
    }

    /// Sends a response per RFC 3261 §18.2.2 and RFC 3581 §4.
    ///
    /// - TCP/TLS: over the request's connection (`source.connectionID`); when it has closed, over
    ///   a connection to the top Via's `received` (or sent-by) address and sent-by port.
    /// - UDP: from the listener the request arrived on (`source.local`) to
    ///   ``SIPResponseRouting/datagramDestination(topVia:source:)`` (maddr, received+rport,
    ///   received+sent-by port, sent-by, source address).
    public func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws {
        let topVia: SIPVia
        do { topVia = try response.topVia } catch {
            throw SIPTransportError(.unroutable, "response without a usable Via: \(error.reason)")
        }
        switch source.transport {
        case .udp:
            let destination = SIPResponseRouting.datagramDestination(topVia: topVia, source: source)
            try await sendDatagram(response.serialized(), message: .response(response), to: destination, from: source.local)
        case .tcp, .tls:
            if let id = source.connectionID, let channel = state.withLock({ $0.connections.entry(id)?.handle }) {
                do {
                    try await write(.response(response), transport: source.transport, on: channel)
                    return
                } catch let error as SIPTransportError where error.code == .bufferLimit {
                    throw error
                } catch {
                    logger.debug("request's connection failed, trying a new one", metadata: ["sip.connection": "\(id)"])
                }
            }
            guard let address = SIPResponseRouting.streamFallbackDestination(topVia: topVia, source: source) else {
                throw SIPTransportError(.unroutable, "connection gone and Via has no IP address")
            }
            try await sendStream(.response(response), to: SIPDestination(transport: source.transport, address: address))
        }
    }

    // MARK: UDP

    func sendDatagram(_ bytes: [UInt8], message: SIPMessage, to address: SocketAddress, from local: SocketAddress?) async throws {
        let channel = try udpChannel(to: address, from: local)
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(envelope)
        metrics.sent(.udp, message)
        configuration.trace.record(.outgoing, message, transport: .udp, remote: address)
    }

    /// The UDP socket to send from: one of the listener the request came in on (`local`), else
    /// one of the destination's address family. Of a listener's sockets (one per event loop), the
    /// one on the calling thread's loop is preferred, so the write needs no thread hop; off the
    /// loops, the destination picks the socket, so what is sent to one peer from outside the
    /// loops leaves in the order it was written (the notifier's 200 to a SUBSCRIBE, then its
    /// NOTIFY: two sockets on two loops could swap them, and a subscriber that expects the 200
    /// first, as SIPp's scenarios do, would drop the dialog).
    func udpChannel(to address: SocketAddress, from local: SocketAddress?) throws(SIPTransportError) -> any Channel {
        let channel: (any Channel)? = state.withLock { state in
            guard state.phase == .running else { return nil }
            let candidates =
                state.udpListeners.first { local != nil && $0.bound == local }
                ?? state.udpListeners.first { $0.bound.protocol == address.protocol }
            guard let channels = candidates?.channels, !channels.isEmpty else { return nil }
            if let here = channels.first(where: { $0.eventLoop.inEventLoop }) { return here }
            return channels[Int(UInt(bitPattern: address.hashValue) % UInt(channels.count))]
        }
        guard let channel else {
            metrics.dropped(.udp, reason: "no_listener")
            throw SIPTransportError(.noListener, "no UDP listener to send to \(address.sipHostPort)")
        }
        return channel
    }

    // MARK: TCP / TLS

    func sendStream(_ message: SIPMessage, to destination: SIPDestination) async throws {
        let existing = state.withLock { $0.connections.lookup(destination)?.handle }
        let channel: any Channel
        if let existing { channel = existing } else { channel = try await connect(destination) }
        try await write(message, transport: destination.transport, on: channel)
    }

    func write(_ message: SIPMessage, transport: SIPTransportProtocol, on channel: any Channel) async throws {
        guard channel.isWritable else {
            metrics.dropped(transport, reason: "buffer_limit")
            throw SIPTransportError(.bufferLimit, "connection has more than \(configuration.limits.maxBufferedBytesPerConnection) unsent bytes")
        }
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: message.serialized(forStream: true)))
        metrics.sent(transport, message)
        if let remote = channel.remoteAddress { configuration.trace.record(.outgoing, message, transport: transport, remote: remote) }
    }

    /// Opens (or joins an opening of) an outbound connection and registers it.
    func connect(_ destination: SIPDestination) async throws -> any Channel {
        let key = PendingKey(transport: destination.transport, address: destination.address)
        enum Plan { case join(EventLoopFuture<any Channel>), open(EventLoopPromise<any Channel>), refuse(SIPTransportError) }
        let loop = group.any()
        let plan: Plan = state.withLock { state in
            guard state.phase == .running, let context = state.handlerContext else {
                return .refuse(SIPTransportError(.notRunning, "transport not running"))
            }
            _ = context
            if let pending = state.pendingConnects[key] { return .join(pending) }
            if state.connections.isFull { return .refuse(SIPTransportError(.connectionLimit, "connection table full")) }
            if destination.transport == .tls && state.tls == nil {
                return .refuse(SIPTransportError(.tlsSetup, "outbound TLS needs a TLS listener configured"))
            }
            let promise = loop.makePromise(of: (any Channel).self)
            state.pendingConnects[key] = promise.futureResult
            return .open(promise)
        }
        switch plan {
        case .refuse(let error):
            metrics.dropped(destination.transport, reason: error.code.description)
            throw error
        case .join(let future):
            return try await future.get()
        case .open(let promise):
            do {
                let channel = try await openConnection(destination)
                state.withLock { _ = $0.pendingConnects.removeValue(forKey: key) }
                promise.succeed(channel)
                return channel
            } catch {
                state.withLock { _ = $0.pendingConnects.removeValue(forKey: key) }
                promise.fail(error)
                throw error
            }
        }
    }

    private func openConnection(_ destination: SIPDestination) async throws -> any Channel {
        let (context, ssl) = state.withLock { ($0.handlerContext, $0.tls?.clientContext) }
        guard let context else { throw SIPTransportError(.notRunning, "transport not running") }
        let id = SIPConnectionID.next()
        let transport = destination.transport
        let limits = configuration.limits
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(limits.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(
                    .writeBufferWaterMark,
                    value: .init(low: limits.maxBufferedBytesPerConnection / 2, high: limits.maxBufferedBytesPerConnection))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sslHandler = try ssl.map { try NIOSSLClientHandler(context: $0, serverHostname: nil) }
                        try self.addStreamHandlers(
                            to: channel, transport: transport, id: id, context: context,
                            sslHandler: transport == .tls ? sslHandler : nil)
                    }
                }
                .connect(to: destination.address).get()
        } catch {
            metrics.dropped(transport, reason: "connect_failed")
            throw SIPTransportError(.connectFailed, "\(transport)://\(destination.address.sipHostPort): \(error)")
        }
        guard register(channel, id: id, transport: transport, remote: destination.address, outbound: true) else {
            try? await channel.close()
            throw SIPTransportError(.connectionLimit, "connection table full")
        }
        logger.debug(
            "opened outbound connection",
            metadata: ["sip.transport": "\(transport)", "sip.remote": "\(destination.address.sipHostPort)", "sip.connection": "\(id)"])
        return channel
    }
}
