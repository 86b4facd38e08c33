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
/// Each slot is a doubly linked list of timer nodes. A cancel unlinks its node at once, so a
/// cancelled timer costs nothing afterwards (the lifetime guard of every transaction is
/// cancelled within milliseconds, and would otherwise linger for 300 s), and no table of all
/// timers is kept: nothing grows in one piece while the lock is held.
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

    /// One pending timer, linked into its slot's list. Every field is read and written only
    /// under the wheel's lock (`@unchecked Sendable`: the lock is the synchronization).
    final class Node: @unchecked Sendable {
        var turns: Int
        var body: (@Sendable () -> Void)?
        var slot: Int
        var previous: Node?
        var next: Node?

        init(turns: Int, body: @escaping @Sendable () -> Void, slot: Int) {
            self.turns = turns
            self.body = body
            self.slot = slot
        }
    }

    struct State {
        /// The first node of each slot's list.
        var heads: [Node?]
        var pending = 0
        /// Ticks processed so far.
        var tick: Int64 = 0
        /// Uptime of the loop's clock at tick 0.
        var origin: NIODeadline

        mutating func link(_ node: Node) {
            node.previous = nil
            node.next = heads[node.slot]
            heads[node.slot]?.previous = node
            heads[node.slot] = node
            pending += 1
        }

        /// Takes `node` out of its slot's list; false when it was not linked (fired or
        /// cancelled already).
        mutating func unlink(_ node: Node) -> Bool {
            guard node.body != nil else { return false }
            if let previous = node.previous { previous.next = node.next } else { heads[node.slot] = node.next }
            node.next?.previous = node.previous
            node.previous = nil
            node.next = nil
            pending -= 1
            return true
        }
    }

    public init(eventLoop: any EventLoop, resolution: Duration = .milliseconds(10), slotCount: Int = 4096) {
        precondition(resolution > .zero && slotCount > 0, "SIPTimerWheel needs a positive resolution and slot count")
        self.eventLoop = eventLoop
        self.resolution = resolution
        self.slotCount = slotCount
        state = Mutex(State(heads: Array(repeating: nil, count: slotCount), origin: eventLoop.now))
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

    /// Timers scheduled and not yet fired or cancelled.
    public var pendingCount: Int { state.withLock { $0.pending } }

    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer {
        let now = eventLoop.now
        let node = state.withLock { state -> Node in
            // The tick at which `now + delay` has passed, rounded up: never early.
            let due = ticks(from: state.origin, to: now + TimeAmount(delay), roundingUp: true)
            let ahead = max(1, due - state.tick)
            let node = Node(
                turns: Int((ahead - 1) / Int64(slotCount)), body: body,
                slot: Int((state.tick + ahead) % Int64(slotCount)))
            state.link(node)
            return node
        }
        return WheelTimer(wheel: self, node: node)
    }

    func cancel(_ node: Node) {
        let body = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.unlink(node) else { return nil }
            defer { node.body = nil }
            return node.body
        }
        _ = body  // released outside the lock
    }

    /// Fires every timer due at `now` (called by the ticking task; tests call it directly).
    func advance(to now: NIODeadline) {
        let due = state.withLock { state -> [@Sendable () -> Void] in
            let target = ticks(from: state.origin, to: now, roundingUp: false)
            var bodies: [@Sendable () -> Void] = []
            while state.tick < target {
                state.tick += 1
                var node = state.heads[Int(state.tick % Int64(slotCount))]
                var thisTick: [@Sendable () -> Void] = []
                while let current = node {
                    node = current.next
                    if current.turns == 0 {
                        let body = current.body
                        _ = state.unlink(current)
                        current.body = nil
                        if let body { thisTick.append(body) }
                    } else {
                        current.turns -= 1
                    }
                }
                // A slot's list is newest first: fire its timers oldest first.
                bodies.append(contentsOf: thisTick.reversed())
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
    let node: SIPTimerWheel.Node
    func cancel() { wheel.cancel(node) }
}
