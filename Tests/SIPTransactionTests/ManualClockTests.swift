import SIPCore
import SIPTestSupport
import SIPTransaction
import Testing

/// The test clock shared by every test target: one clock for wall time, monotonic time and
/// transaction timers (RFC 3261 §17 timers A–M run on it here).
@Suite("ManualClock") struct ManualClockTests {
    @Test func wallClockAndUptimeMoveTogetherOnlyWhenAdvanced() {
        let start = SIPTimestamp(secondsSince1970: 1_000)
        let clock = ManualClock(start: start)
        #expect(clock.now() == start && clock.uptime() == .zero)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now() == SIPTimestamp(millisecondsSince1970: 1_001_500))
        #expect(clock.uptime() == .milliseconds(1500))
        #expect(ManualClock().now() == ManualClock.defaultStart)
    }

    @Test func advancingFiresDueTimersInDeadlineOrderAtTheirDeadline() {
        let clock = ManualClock()
        let log = TimerWheelTests.Fired()
        _ = clock.schedule(after: .seconds(2)) { log.add("B at \(clock.uptime())") }
        _ = clock.schedule(after: .seconds(1)) {
            log.add("A at \(clock.uptime())")
            _ = clock.schedule(after: .milliseconds(500)) { log.add("A2 at \(clock.uptime())") }
        }
        _ = clock.schedule(after: .seconds(2)) { log.add("C at \(clock.uptime())") }
        let cancelled = clock.schedule(after: .seconds(1)) { log.add("cancelled") }
        cancelled.cancel()
        let late = clock.schedule(after: .seconds(10)) { log.add("late") }
        #expect(log.all.isEmpty, "scheduling never runs a body")
        #expect(clock.pendingDelays == [.seconds(1), .seconds(2), .seconds(2), .seconds(10)])

        clock.advance(by: .seconds(3))
        #expect(log.all == ["A at 1.0 seconds", "A2 at 1.5 seconds", "B at 2.0 seconds", "C at 2.0 seconds"])
        #expect(clock.uptime() == .seconds(3) && clock.pendingCount == 1)
        late.cancel()
        #expect(clock.pendingCount == 0)
    }
}
