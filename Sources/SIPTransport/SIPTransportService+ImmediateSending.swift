import NIOCore
public import SIPCore
import Synchronization

extension SIPTransportService: SIPImmediateMessageSender {
    /// Starts sending a request. A request over UDP that stays under the size limit is written
    /// to a UDP socket at once, from the calling thread (a proxy's branches, RFC 3261 §18.1.1);
    /// anything that may need a new connection or a switch to TCP runs ``send(_:to:)`` in a task.
    public func sendImmediately(
        _ message: SIPMessage, to destination: SIPDestination, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        if destination.transport == .udp {
            let bytes = message.serialized()
            let isSmall = !SIPOutboundTransportSelection.shouldSwitchToTCP(
                requestSize: bytes.count, limits: configuration.limits)
            if isSmall || message.request == nil || destination.connectionID != nil {
                let channel: any Channel
                do { channel = try udpChannel(to: destination.address, from: nil) } catch {
                    onFailure(error)
                    return
                }
                let envelope = AddressedEnvelope(remoteAddress: destination.address, data: channel.allocator.buffer(bytes: bytes))
                channel.writeAndFlush(envelope).whenComplete { [metrics] result in
                    switch result {
                    case .success: metrics.sent(.udp, message)
                    case .failure(let error): onFailure(error)
                    }
                }
                return
            }
        }
        Task {
            do { try await self.send(message, to: destination) } catch { onFailure(error) }
        }
    }

    /// Writes a response at once when its path is known (RFC 3261 §18.2.2): over UDP from the
    /// listener the request came in on, over TCP/TLS on the request's connection while it is
    /// open. Anything else (a connection that is gone, a full send buffer) goes through
    /// ``sendResponse(_:to:)`` in a task, which opens a new connection when needed.
    public func sendResponseImmediately(
        _ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let message = SIPMessage.response(response)
        switch source.transport {
        case .udp:
            // Only UDP needs a destination here: worked out once when the request arrived
            // (`source.responseAddress`), else from the response's top Via (received/rport/maddr).
            let destination: SocketAddress
            if let known = source.responseAddress {
                destination = known
            } else {
                let topVia: SIPVia
                do { topVia = try response.topVia } catch {
                    onFailure(SIPTransportError(.unroutable, "response without a usable Via: \(error.reason)"))
                    return
                }
                destination = SIPResponseRouting.datagramDestination(topVia: topVia, source: source)
            }
            let channel: any Channel
            do { channel = try udpChannel(to: destination, from: source.local) } catch {
                onFailure(error)
                return
            }
            let envelope = AddressedEnvelope(
                remoteAddress: destination, data: channel.allocator.buffer(bytes: response.serialized()))
            let trace = configuration.trace
            channel.writeAndFlush(envelope).whenComplete { [metrics] result in
                switch result {
                case .success:
                    metrics.sent(.udp, message)
                    trace.record(.outgoing, message, transport: .udp, remote: destination)
                case .failure(let error): onFailure(error)
                }
            }
        case .tcp, .tls:
            guard let id = source.connectionID,
                let channel = state.withLock({ $0.connections.entry(id)?.handle }), channel.isWritable
            else {
                sendResponseLater(response, to: source, onFailure: onFailure)
                return
            }
            let trace = configuration.trace
            channel.writeAndFlush(channel.allocator.buffer(bytes: response.serialized(forStream: true))).whenComplete {
                [metrics] result in
                switch result {
                case .success:
                    metrics.sent(source.transport, message)
                    trace.record(.outgoing, message, transport: source.transport, remote: source.remote)
                case .failure: self.sendResponseLater(response, to: source, onFailure: onFailure)
                }
            }
        }
    }

    private func sendResponseLater(
        _ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        Task {
            do { try await self.sendResponse(response, to: source) } catch { onFailure(error) }
        }
    }
}
