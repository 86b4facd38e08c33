import Logging
import NIOCore
import NIOSSL
import SIPCore

/// Acts on the frames of one TCP or TLS connection (RFC 3261 §18.3, RFC 5626 §4.4.1):
/// delivers messages with their ``SIPSource`` (connection id, peer certificate), answers
/// CRLFCRLF pings with CRLF, answers invalid requests and keeps reading, answers what it can of
/// a framing error and then closes. (Idle connections are closed by ``SIPIdleTimeoutHandler``.) Sits after ``SIPStreamDecoder``.
final class SIPStreamConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = SIPStreamFrame
    typealias OutboundOut = ByteBuffer

    private let shared: SIPTransportHandlerContext
    private let transport: SIPTransportProtocol
    private let connectionID: SIPConnectionID
    private var peerCertificate: SIPPeerCertificate??

    init(context shared: SIPTransportHandlerContext, transport: SIPTransportProtocol, connectionID: SIPConnectionID) {
        self.shared = shared
        self.transport = transport
        self.connectionID = connectionID
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let remote = context.channel.remoteAddress else { return }
        switch frame {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(staticString: "\r\n")), promise: nil)
        case .message(let message):
            let source = SIPSource(
                transport: transport, remote: remote, local: context.channel.localAddress ?? remote,
                connectionID: connectionID, peerCertificate: certificate(context))
            if let answer = shared.deliver(message, source: source, eventLoop: context.eventLoop) {
                write(answer, context: context)
            }
        case .invalidMessage(let error):
            if let response = shared.answer(error, transport: transport, remote: remote) {
                write(response, context: context)
            }
        case .framingError(let error):
            shared.metrics.dropped(transport, reason: "framing_error")
            // Nothing more is read (the decoder ignores what follows); answers to the requests
            // received before the error may still be on their way from the transaction user,
            // so the connection closes after a short delay rather than at once.
            let closing = context.channel
            let delay = shared.framingErrorCloseDelay
            if let response = shared.answer(error, transport: transport, remote: remote) {
                write(response, context: context)
            }
            context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
            context.eventLoop.scheduleTask(in: delay) { closing.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug(
            "connection error, closing",
            metadata: ["sip.transport": "\(transport)", "sip.connection": "\(connectionID)", "error": "\(error)"])
        context.close(promise: nil)
    }

    private func write(_ response: SIPResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        shared.metrics.sent(transport, .response(response))
        if let remote = context.remoteAddress { shared.trace.record(.outgoing, .response(response), transport: transport, remote: remote) }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.sipBuffer(.response(response), forStream: true)), promise: promise)
    }

    /// The TLS peer certificate, read once from the `NIOSSLHandler` in the pipeline.
    private func certificate(_ context: ChannelHandlerContext) -> SIPPeerCertificate? {
        guard transport == .tls else { return nil }
        if let cached = peerCertificate { return cached }
        let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
        let converted = handler?.peerCertificate.flatMap { try? SIPPeerCertificate(nioSSL: $0) }
        // Cache only once the handshake produced an answer (it has, once a message arrived).
        peerCertificate = .some(converted)
        return converted
    }
}

@available(*, unavailable)
extension SIPStreamConnectionHandler: Sendable {}
