import SIPTransaction
import Synchronization

/// A scheduler on a manual clock: nothing fires until the test calls `advance(by:)`, which runs
/// due timers in deadline order (ties in scheduling order), outside its lock.
final class ManualTimerScheduler: SIPTimerScheduler, Sendable {
    private struct Pending {
        var deadline: Duration
        var sequence: Int
        var body: @Sendable () -> Void
    }

    private struct State {
        var now: Duration = .zero
        var sequence = 0
        var pending: [Int: Pending] = [:]
    }

    private let state = Mutex(State())

    var now: Duration { state.withLock { $0.now } }
    var pendingCount: Int { state.withLock { $0.pending.count } }
    /// The delays of pending timers from now, sorted.
    var pendingDelays: [Duration] {
        state.withLock { s in s.pending.values.map { $0.deadline - s.now }.sorted() }
    }

    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer {
        let id = state.withLock { s in
            s.sequence += 1
            s.pending[s.sequence] = Pending(deadline: s.now + delay, sequence: s.sequence, body: body)
            return s.sequence
        }
        return ManualTimer(id: id, scheduler: self)
    }

    func cancel(_ id: Int) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Moves the clock forward by `delta`, firing every timer due on the way.
    func advance(by delta: Duration) {
        let target = state.withLock { $0.now + delta }
        while true {
            let next = state.withLock { s -> Pending? in
                guard let (id, first) = s.pending.filter({ $0.value.deadline <= target })
                    .min(by: { ($0.value.deadline, $0.value.sequence) < ($1.value.deadline, $1.value.sequence) })
                else { return nil }
                s.pending[id] = nil
                s.now = first.deadline
                return first
            }
            guard let next else { break }
            next.body()
        }
        state.withLock { $0.now = target }
    }
}

private struct ManualTimer: SIPScheduledTimer {
    let id: Int
    let scheduler: ManualTimerScheduler
    func cancel() { scheduler.cancel(id) }
}
