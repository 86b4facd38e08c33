import NIOCore

/// Closes a TCP/TLS connection after ``SIPTransportLimits/idleTimeout`` without traffic in
/// either direction. RFC 5626 flows stay open because their CRLF keep-alives (RFC 5626 §4.4.1)
/// and pongs count as traffic.
///
/// Time comes from the channel's event loop (`EventLoop.now`), so tests drive it with
/// `EmbeddedEventLoop.advanceTime` (NIO's `IdleStateHandler` reads the wall clock instead).
final class SIPIdleTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let timeout: TimeAmount
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard scheduled == nil else { return }
        lastActivity = context.eventLoop.now
        schedule(context, at: lastActivity + timeout)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loop = context.eventLoop.assumeIsolated()
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let boundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        scheduled = loop.scheduleTask(deadline: deadline) {
            boundSelf.value.check(boundContext.value)
        }
    }

    private func check(_ context: ChannelHandlerContext) {
        scheduled = nil
        let due = lastActivity + timeout
        if context.eventLoop.now >= due {
            context.close(promise: nil)
        } else {
            schedule(context, at: due)
        }
    }
}

@available(*, unavailable)
extension SIPIdleTimeoutHandler: Sendable {}
