public import NIOCore
import Synchronization

/// A hashed timing wheel (Varghese & Lauck) that runs the transaction timers on one event loop.
///
/// A registrar at 10,000 REGISTER/s holds hundreds of thousands of pending timers (Timer J is
/// 64·T1 = 32 s per UDP transaction; the lifetime guard 300 s). NIO's scheduled tasks keep one
/// priority queue per loop, where a cancel costs a linear search; here scheduling and
/// cancelling are O(1) and one repeating task per tick does the work. Timers fire late by at
/// most one ``resolution`` (10 ms by default: well below T1 = 500 ms), never early.
///
/// Bodies run on the wheel's event loop, outside the wheel's lock, in due order per tick. The
/// wheel satisfies the ``SIPTimerScheduler`` contract: `schedule` never runs `body` itself.
/// Call ``stop()`` to cancel the ticking task (pending timers are dropped).
public final class SIPTimerWheel: SIPTimerScheduler, Sendable {
    /// Tick length. Default 10 ms.
    public let resolution: Duration
    /// Number of slots; a timer further away than one turn waits whole turns. Default 4096.
    public let slotCount: Int
    let eventLoop: any EventLoop
    private let state: Mutex<State>
    private let tickTask: Mutex<RepeatedTask?> = Mutex(nil)

    struct Entry {
        var turns: Int
        var body: @Sendable () -> Void
    }

    struct State {
        var slots: [[UInt64]]
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 1
        /// Ticks processed so far.
        var tick: Int64 = 0
        /// Uptime of the loop's clock at tick 0.
        var origin: NIODeadline
    }

    public init(eventLoop: any EventLoop, resolution: Duration = .milliseconds(10), slotCount: Int = 4096) {
        precondition(resolution > .zero && slotCount > 0, "SIPTimerWheel needs a positive resolution and slot count")
        self.eventLoop = eventLoop
        self.resolution = resolution
        self.slotCount = slotCount
        state = Mutex(State(slots: Array(repeating: [], count: slotCount), origin: eventLoop.now))
        let step = TimeAmount(resolution)
        let task = eventLoop.scheduleRepeatedTask(initialDelay: step, delay: step) { [weak self] _ in
            guard let self else { return }
            self.advance(to: self.eventLoop.now)
        }
        tickTask.withLock { $0 = task }
    }

    /// Stops ticking; pending timers never fire.
    public func stop() {
        tickTask.withLock { $0?.cancel() }
    }

    /// Number of pending timers.
    public var pendingCount: Int { state.withLock { $0.entries.count } }

    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer {
        let now = eventLoop.now
        let id = state.withLock { state -> UInt64 in
            // The tick at which `now + delay` has passed, rounded up: never early.
            let due = ticks(from: state.origin, to: now + TimeAmount(delay), roundingUp: true)
            let ahead = max(1, due - state.tick)
            let slot = Int((state.tick + ahead) % Int64(slotCount))
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(turns: Int((ahead - 1) / Int64(slotCount)), body: body)
            state.slots[slot].append(id)
            return id
        }
        return WheelTimer(wheel: self, id: id)
    }

    func cancel(_ id: UInt64) {
        state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Processes every tick up to `now` and runs the bodies that came due.
    func advance(to now: NIODeadline) {
        let due = state.withLock { state -> [@Sendable () -> Void] in
            let target = ticks(from: state.origin, to: now, roundingUp: false)
            var bodies: [@Sendable () -> Void] = []
            while state.tick < target {
                state.tick += 1
                let slot = Int(state.tick % Int64(slotCount))
                let ids = state.slots[slot]
                if ids.isEmpty { continue }
                var waiting: [UInt64] = []
                for id in ids {
                    guard var entry = state.entries[id] else { continue }
                    if entry.turns == 0 {
                        state.entries[id] = nil
                        bodies.append(entry.body)
                    } else {
                        entry.turns -= 1
                        state.entries[id] = entry
                        waiting.append(id)
                    }
                }
                state.slots[slot] = waiting
            }
            return bodies
        }
        for body in due { body() }
    }

    private func ticks(from origin: NIODeadline, to instant: NIODeadline, roundingUp: Bool) -> Int64 {
        let elapsed = (instant - origin).nanoseconds
        let step = Int64(TimeAmount(resolution).nanoseconds)
        if elapsed <= 0 { return 0 }
        return roundingUp ? (elapsed + step - 1) / step : elapsed / step
    }
}

private struct WheelTimer: SIPScheduledTimer {
    let wheel: SIPTimerWheel
    let id: UInt64
    func cancel() { wheel.cancel(id) }
}
