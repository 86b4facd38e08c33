public import NIOCore
public import SIPCore

/// What ``SIPStreamDecoder`` cuts from a TCP/TLS byte stream (RFC 3261 §18.3, RFC 5626 §4.4.1).
public enum SIPStreamFrame: Sendable, Hashable {
    /// A complete, valid message.
    case message(SIPMessage)
    /// A CRLFCRLF keep-alive ping, to be answered with CRLF (pong). Single CRLFs are skipped.
    case ping
    /// A correctly framed but invalid message; answer if possible and keep reading.
    case invalidMessage(SIPParseError)
    /// The stream can no longer be framed: answer if possible, then close. The decoder
    /// discards everything after it.
    case framingError(SIPParseError)
}

/// A `ByteToMessageDecoder` around SIPCore's ``SIPStreamFramer``: it hands the framer the
/// unread bytes with `withUnsafeReadableBytes` and emits ``SIPStreamFrame``s. It must sit after
/// the TLS handler (if any) and before ``SIPStreamConnectionHandler``.
public struct SIPStreamDecoder: ByteToMessageDecoder {
    public typealias InboundOut = SIPStreamFrame

    private var framer: SIPStreamFramer
    private var failed = false

    public init(limits: SIPParserLimits = .default) {
        framer = SIPStreamFramer(limits: limits)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        var step = SIPStreamFramer.Step.needMoreData
        buffer.withUnsafeReadableBytes { step = framer.next($0) }
        switch step {
        case .needMoreData:
            return .needMoreData
        case .keepAlive(let consumed, let pong):
            buffer.moveReaderIndex(forwardBy: consumed)
            if pong { context.fireChannelRead(wrapInboundOut(.ping)) }
            return .continue
        case .message(let message, let consumed):
            buffer.moveReaderIndex(forwardBy: consumed)
            context.fireChannelRead(wrapInboundOut(.message(message)))
            return .continue
        case .invalidMessage(let error, let consumed):
            buffer.moveReaderIndex(forwardBy: consumed)
            context.fireChannelRead(wrapInboundOut(.invalidMessage(error)))
            return .continue
        case .framingError(let error):
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(wrapInboundOut(.framingError(error)))
            return .needMoreData
        }
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial message at end of stream is dropped.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
