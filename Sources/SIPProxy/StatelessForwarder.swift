import Crypto
import NIOCore
public import Logging
public import SIPCore
public import SIPTransaction
public import SIPTransport

/// Stateless forwarding (RFC 3261 §16.11) of what has no transaction: the ACK for a 2xx
/// (§16.7 step 10 leaves it to the proxy core; it follows the dialog's Route set, so our Route
/// is removed and its flow token honoured as for any in-dialog request), and responses that
/// match no client transaction (2xx retransmissions after the transaction ended): our Via is
/// removed and the response goes to the next Via (§18.2.2).
public struct StatelessForwarder: SIPStatelessHandler {
    let listeners: ProxyListeners
    let flowKey: FlowTokenKey
    let sender: any SIPMessageSender
    let logger: Logger

    public init(listeners: ProxyListeners, flowKey: FlowTokenKey, sender: any SIPMessageSender, logger: Logger) {
        self.listeners = listeners
        self.flowKey = flowKey
        self.sender = sender
        self.logger = logger
    }

    public func forwardACK(_ ack: SIPRequest, source: SIPSource) {
        guard let essentials = try? SIPRequestEssentials(parsing: ack) else { return }
        var request = ack
        var routing = ProxyRouting()
        do { try RouteProcessor.process(&request, routing: &routing, listeners: listeners, flowKey: flowKey) } catch {
            return
        }
        // An ACK that names no next hop beyond us (no Route of ours, for our domain) ends here.
        guard routing.hadOurRoute || !listeners.identity.isOurDomain(request.uri) else { return }
        if let maxForwards = essentials.maxForwards, maxForwards <= 0 { return }
        var destination: SIPDestination?
        if let flow = routing.flowToken?.destination(forRequestFrom: source) {
            destination = flow
        } else if let index = request.headers.firstIndex(of: .route), let top = try? request.headers.values(at: index).first,
            let route = try? SIPNameAddress(parsing: top)
        {
            destination = SIPTargetResolver.literalDestination(for: route.uri)
        } else {
            destination = SIPTargetResolver.literalDestination(for: request.uri)
        }
        guard let destination, let sentBy = listeners.sentBy(for: destination.transport) else {
            logger.debug("ACK not forwarded: no IP next hop", metadata: ["sip.call_id": "\(essentials.callID)"])
            return
        }
        // §16.11: the same ACK always gets the same branch (derived from the incoming one).
        var hasher = FNV1a()
        hasher.add(essentials.topVia.branch ?? "")
        let branch = SIPVia.magicCookie + LoopDetector.marker + LoopDetector.hash(ack, essentials: essentials) + "."
            + String(hasher.value, radix: 36)
        request.headers.set(.maxForwards, String(max(0, (essentials.maxForwards ?? 71) - 1)))
        request.headers.prepend(SIPHeaderField(.via, "SIP/2.0/\(destination.transport.rawValue) \(sentBy);branch=\(branch);rport"))
        let sender = self.sender
        let logger = self.logger
        send(.request(request), to: destination, sender: sender, logger: logger)
    }

    public func forwardStrayResponse(_ response: SIPResponse, source: SIPSource) {
        guard let vias = try? response.vias(), vias.count >= 2, listeners.isOurSentBy(vias[0]) else { return }
        var forwarded = response
        guard let index = forwarded.headers.firstIndex(of: .via) else { return }
        do { try forwarded.headers.removeValue(at: index, valueIndex: 0) } catch { return }
        let next = vias[1]
        guard let transport = SIPTransportProtocol(token: next.transport) else { return }
        let address: SocketAddress?
        if transport == .udp {
            address = SIPResponseRouting.datagramDestination(topVia: next, source: source)
        } else {
            address = SIPResponseRouting.streamFallbackDestination(topVia: next, source: source)
        }
        guard let address else { return }
        send(.response(forwarded), to: SIPDestination(transport: transport, address: address), sender: sender, logger: logger)
    }

    private func send(_ message: SIPMessage, to destination: SIPDestination, sender: any SIPMessageSender, logger: Logger) {
        if let immediate = sender as? any SIPImmediateMessageSender {
            immediate.sendImmediately(message, to: destination) { error in
                logger.debug("stateless forward failed", metadata: ["error": "\(error)"])
            }
            return
        }
        Task {
            do { try await sender.send(message, to: destination) } catch {
                logger.debug("stateless forward failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
