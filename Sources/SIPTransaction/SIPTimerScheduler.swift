public import NIOCore

/// Runs the transaction timers (RFC 3261 §17, timers A–M) on an injected clock.
///
/// Contract: `schedule(after:_:)` must never call `body` synchronously from inside the call —
/// the transaction layer schedules while holding the lock of its transaction table. `body` may
/// run on any thread.
public protocol SIPTimerScheduler: Sendable {
    /// Runs `body` once after `delay`, unless the returned timer is cancelled first.
    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer
}

/// A timer returned by ``SIPTimerScheduler``. Cancelling is best-effort: a body that is
/// already running or about to run may still run, and the transaction layer ignores it.
public protocol SIPScheduledTimer: Sendable {
    func cancel()
}

/// Runs timers with `EventLoop.scheduleTask`. Each timer runs on the event loop the group
/// picks (`any()`: the current loop when called on one, so the timers of a transaction created
/// from a channel handler stay on that channel's loop).
public struct SIPEventLoopTimerScheduler: SIPTimerScheduler {
    public let group: any EventLoopGroup

    public init(group: any EventLoopGroup) {
        self.group = group
    }

    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer {
        let scheduled = group.any().scheduleTask(in: TimeAmount(delay), body)
        return EventLoopTimer(scheduled: scheduled)
    }
}

private struct EventLoopTimer: SIPScheduledTimer {
    let scheduled: Scheduled<Void>
    func cancel() { scheduled.cancel() }
}
