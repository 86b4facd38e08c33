import NIOCore
import NIOEmbedded
import SIPTransaction
import Synchronization
import Testing

@Suite("Timer wheel") struct TimerWheelTests {
    final class Fired: Sendable {
        let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    @Test func firesInDueOrderNeverEarly() {
        let loop = EmbeddedEventLoop()
        let wheel = SIPTimerWheel(eventLoop: loop, resolution: .milliseconds(10), slotCount: 64)
        let fired = Fired()
        _ = wheel.schedule(after: .milliseconds(500)) { fired.add("T1") }
        _ = wheel.schedule(after: .milliseconds(25)) { fired.add("short") }
        _ = wheel.schedule(after: .seconds(32)) { fired.add("J") }  // many turns of a 640 ms wheel
        loop.advanceTime(by: .milliseconds(20))
        #expect(fired.all.isEmpty, "25 ms timer not due at 20 ms")
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.all == ["short"])
        loop.advanceTime(by: .milliseconds(460))
        #expect(fired.all == ["short"], "500 ms timer not due at 490 ms")
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.all == ["short", "T1"])
        loop.advanceTime(by: .milliseconds(31_480))
        #expect(fired.all == ["short", "T1"], "32 s timer not due at 31.98 s")
        loop.advanceTime(by: .milliseconds(20))
        #expect(fired.all == ["short", "T1", "J"])
        #expect(wheel.pendingCount == 0)
        wheel.stop()
    }

    @Test func cancelledTimersDoNotFire() {
        let loop = EmbeddedEventLoop()
        let wheel = SIPTimerWheel(eventLoop: loop, resolution: .milliseconds(10), slotCount: 8)
        let fired = Fired()
        let timers = (0..<1000).map { i in wheel.schedule(after: .milliseconds(100 + i)) { fired.add("t\(i)") } }
        for (i, timer) in timers.enumerated() where i % 2 == 0 { timer.cancel() }
        #expect(wheel.pendingCount == 500)
        loop.advanceTime(by: .seconds(2))
        #expect(fired.all.count == 500)
        #expect(fired.all.allSatisfy { Int($0.dropFirst())! % 2 == 1 })
        wheel.stop()
    }

    @Test func scheduleNeverRunsTheBodyInline() {
        let loop = EmbeddedEventLoop()
        let wheel = SIPTimerWheel(eventLoop: loop)
        let fired = Fired()
        _ = wheel.schedule(after: .zero) { fired.add("zero") }
        #expect(fired.all.isEmpty)
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.all == ["zero"])
        wheel.stop()
    }

    final class Captured: Sendable {}

    @Test("A cancelled timer releases its body at once (a 300 s guard does not hold the transaction for 300 s)")
    func cancelReleasesTheBody() {
        let loop = EmbeddedEventLoop()
        let wheel = SIPTimerWheel(eventLoop: loop, resolution: .milliseconds(10), slotCount: 16)
        weak var weakCaptured: Captured?
        let timer: any SIPScheduledTimer
        do {
            let captured = Captured()
            weakCaptured = captured
            timer = wheel.schedule(after: .seconds(300)) { _ = captured }
        }
        #expect(weakCaptured != nil)
        timer.cancel()
        #expect(weakCaptured == nil, "the body is freed by the cancel, not by the tick 300 s later")
        #expect(wheel.pendingCount == 0)
        timer.cancel()  // a second cancel is harmless
        let fired = Fired()
        let early = wheel.schedule(after: .milliseconds(20)) { fired.add("a") }
        _ = wheel.schedule(after: .milliseconds(20)) { fired.add("b") }
        _ = wheel.schedule(after: .milliseconds(20)) { fired.add("c") }
        early.cancel()
        loop.advanceTime(by: .milliseconds(30))
        #expect(fired.all == ["b", "c"], "same-slot timers fire in scheduling order")
        wheel.stop()
    }
}
