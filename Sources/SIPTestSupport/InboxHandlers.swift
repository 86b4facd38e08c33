import NIOCore
import SIPCore

/// Parses each UDP datagram into the inbox (RFC 3261 §18.3: one message per datagram).
final class DatagramInboxHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let inbox: Inbox
    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if let message = try? SIPMessageParser().parse(Array(envelope.data.readableBytesView), framing: .datagram) {
            inbox.deliver(message)
        } else {
            inbox.reject(Array(envelope.data.readableBytesView))
        }
    }
}

@available(*, unavailable)
extension DatagramInboxHandler: Sendable {}

/// Frames a TCP/TLS byte stream with ``SIPStreamFramer`` into the inbox (RFC 3261 §18.3:
/// Content-Length delimits messages on a stream).
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
                inbox.reject(Array(pending.prefix(consumed)))
                pending.removeFirst(consumed)
            case .framingError:
                inbox.reject(pending)
                pending = []
                return
            }
        }
    }
}

@available(*, unavailable)
extension StreamInboxHandler: Sendable {}
