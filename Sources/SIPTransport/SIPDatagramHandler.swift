import Logging
import NIOCore
import SIPCore

/// The UDP codec (RFC 3261 §18.1.2, §18.2.1, §18.3): one datagram is one message.
///
/// - Each datagram is parsed with `SIPMessageParser` (framing `.datagram`) straight from the
///   buffer (`withUnsafeReadableBytes`).
/// - Datagrams of only CR/LF (RFC 5626 §4.4.1 keep-alives) are dropped silently.
/// - Answerable parse errors get a response (400 with the error's reason, or 505/416, from
///   ``SIPParseError/statusCode``) sent per §18.2.2 from this socket; unanswerable ones are dropped
///   and counted (`sip_transport_parse_errors_total`, `sip_transport_dropped_total`).
/// - Good messages get Via `received`/`rport` (requests) and go to the receiver with their source;
///   a request whose From, To, Call-ID, CSeq or Max-Forwards is missing or malformed is answered
///   400 here (``SIPTransportHandlerContext/deliver(_:source:eventLoop:)``).
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let shared: SIPTransportHandlerContext
    private let parser: SIPMessageParser
    private var local: SocketAddress?
    /// Datagrams read in the current read cycle, and this socket's backlog state.
    private var readsInCycle = 0
    private var load = SIPIngressLoad.Socket()

    init(context shared: SIPTransportHandlerContext) {
        self.shared = shared
        self.parser = SIPMessageParser(limits: shared.parserLimits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        local = context.channel.localAddress
    }

    func channelActive(context: ChannelHandlerContext) {
        local = context.channel.localAddress
        context.fireChannelActive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        shared.ingressLoad.cycleEnded(reads: readsInCycle, socket: &load)
        readsInCycle = 0
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        shared.ingressLoad.socketClosed(&load)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readsInCycle += 1
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        if envelope.data.readableBytesView.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return }
        let parser = self.parser
        let result = envelope.data.withUnsafeReadableBytes { bytes -> Result<SIPMessage, SIPParseError> in
            do throws(SIPParseError) { return .success(try parser.parse(bytes, framing: .datagram)) } catch {
                return .failure(error)
            }
        }
        let local = self.local ?? context.channel.localAddress ?? remote
        let source = SIPSource(transport: .udp, remote: remote, local: local)
        let answer: SIPResponse?
        switch result {
        case .success(let message):
            answer = shared.deliver(message, source: source, eventLoop: context.eventLoop)
        case .failure(let error):
            answer = shared.answer(error, transport: .udp, remote: remote)
        }
        guard let answer else { return }
        // A Via of another SIP version (505) cannot be parsed for routing: answer the source.
        let destination =
            (try? answer.topVia).map { SIPResponseRouting.datagramDestination(topVia: $0, source: source) } ?? remote
        let buffer = context.channel.allocator.sipBuffer(.response(answer))
        shared.metrics.sent(.udp, .response(answer))
        shared.trace.record(.outgoing, .response(answer), transport: .udp, remote: destination)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: destination, data: buffer)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like surface here on UDP; the socket stays usable.
        shared.logger.debug("UDP socket error", metadata: ["sip.transport": "udp", "error": "\(error)"])
    }
}

@available(*, unavailable)
extension SIPDatagramHandler: Sendable {}
