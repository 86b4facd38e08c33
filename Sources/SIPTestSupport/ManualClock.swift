public import SIPCore
public import SIPTransaction
import Synchronization

/// The one clock of a test: a ``SIPClock`` (wall clock and monotonic reading) and a
/// `SIPTimerScheduler` (transaction timers) that move only when the test calls
/// ``advance(by:)``. No test sleeps.
///
/// Both readings start when the clock is made: ``now()`` at `start`, ``uptime()`` at zero, and
/// both move by the same amount. Advancing fires every timer that comes due on the way, in
/// deadline order (ties in scheduling order), outside the clock's lock and with the clock set to
/// the timer's deadline, so a timer body that schedules another timer or reads the time sees
/// the time it fired at. `schedule(after:_:)` never runs a body itself, as the
/// `SIPTimerScheduler` contract requires.
public final class ManualClock: SIPClock, SIPTimerScheduler, Sendable {
    /// 2023-11-14T22:13:20Z, where a clock starts unless told otherwise.
    public static let defaultStart = SIPTimestamp(millisecondsSince1970: 1_700_000_000_000)

    private struct Pending {
        var deadline: Duration
        var sequence: Int
        var body: @Sendable () -> Void
    }

    private struct State {
        var elapsed: Duration = .zero
        var sequence = 0
        var pending: [Int: Pending] = [:]
    }

    /// The wall-clock time at which the clock was made.
    public let start: SIPTimestamp
    private let state = Mutex(State())

    public init(start: SIPTimestamp = ManualClock.defaultStart) {
        self.start = start
    }

    /// How far the clock has been advanced since it was made.
    public var elapsed: Duration { state.withLock { $0.elapsed } }

    public func now() -> SIPTimestamp { start.adding(elapsed) }

    public func uptime() -> Duration { elapsed }

    /// Number of timers waiting to fire.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// The delays of the waiting timers from now, shortest first.
    public var pendingDelays: [Duration] {
        state.withLock { s in s.pending.values.map { $0.deadline - s.elapsed }.sorted() }
    }

    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer {
        let id = state.withLock { s in
            s.sequence += 1
            s.pending[s.sequence] = Pending(deadline: s.elapsed + delay, sequence: s.sequence, body: body)
            return s.sequence
        }
        return ManualTimer(id: id, clock: self)
    }

    /// Moves the clock forward by `delta`, firing every timer due on the way.
    public func advance(by delta: Duration) {
        let target = state.withLock { $0.elapsed + delta }
        while true {
            let next = state.withLock { s -> Pending? in
                guard
                    let (id, first) = s.pending.filter({ $0.value.deadline <= target })
                        .min(by: { ($0.value.deadline, $0.value.sequence) < ($1.value.deadline, $1.value.sequence) })
                else { return nil }
                s.pending[id] = nil
                s.elapsed = max(s.elapsed, first.deadline)
                return first
            }
            guard let next else { break }
            next.body()
        }
        state.withLock { $0.elapsed = max($0.elapsed, target) }
    }

    fileprivate func cancel(_ id: Int) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }
}

private struct ManualTimer: SIPScheduledTimer {
    let id: Int
    let clock: ManualClock
    func cancel() { clock.cancel(id) }
}
