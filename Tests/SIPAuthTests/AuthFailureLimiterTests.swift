import SIPAuth
import SIPTestSupport
import Testing

@Suite("Brute-force protection (AuthFailureLimiter)")
struct AuthFailureLimiterTests {
    let clock = ManualClock()

    func limiter(_ configure: (inout AuthFailureLimiterConfiguration) -> Void = { _ in }) throws -> AuthFailureLimiter {
        var configuration = AuthFailureLimiterConfiguration()
        configure(&configuration)
        return try AuthFailureLimiter(configuration: configuration, clock: clock)
    }

    @Test("Locked out on the 10th failure within 60 s, for 300 s")
    func lockout() throws {
        let l = try limiter()
        for n in 1...9 {
            #expect(l.recordFailure(from: "192.0.2.7") == .counted(failures: n))
            clock.advance(by: .seconds(5))
        }
        #expect(!l.isLockedOut("192.0.2.7"))
        let until = clock.uptime() + .seconds(300)
        #expect(l.recordFailure(from: "192.0.2.7") == .lockedOut(until: until))
        #expect(l.isLockedOut("192.0.2.7"))
        #expect(l.lockedOutUntil("192.0.2.7") == until)
        #expect(l.recordFailure(from: "192.0.2.7") == .alreadyLockedOut(until: until))
        #expect(!l.isLockedOut("192.0.2.8"))
        clock.advance(by: .seconds(299))
        #expect(l.isLockedOut("192.0.2.7"))
        clock.advance(by: .seconds(1))
        #expect(!l.isLockedOut("192.0.2.7"))
        #expect(l.lockedOutUntil("192.0.2.7") == nil)
        // After the back-off the count starts again from zero.
        #expect(l.recordFailure(from: "192.0.2.7") == .counted(failures: 1))
        #expect(l.statistics.lockoutsStarted == 1)
        #expect(l.statistics.failuresRecorded == 11)
    }

    @Test("Failures spread wider than the window never lock out")
    func slidingWindow() throws {
        let l = try limiter()
        for _ in 0..<50 {
            _ = l.recordFailure(from: "198.51.100.1")
            clock.advance(by: .milliseconds(6_700))  // 9 failures per 60 s
        }
        #expect(!l.isLockedOut("198.51.100.1"))
        #expect(l.statistics.lockoutsStarted == 0)
        // A burst then locks out: the last 9 within the window plus this one.
        clock.advance(by: .seconds(1))
        var outcome = AuthFailureLimiter.FailureOutcome.notCounted
        for _ in 0..<10 where !l.isLockedOut("198.51.100.1") { outcome = l.recordFailure(from: "198.51.100.1") }
        guard case .lockedOut = outcome else {
            Issue.record("expected a lockout, got \(outcome)")
            return
        }
    }

    @Test("Configurable threshold, window and back-off")
    func configured() throws {
        let l = try limiter {
            $0.maxFailures = 3
            $0.window = .seconds(10)
            $0.lockoutDuration = .seconds(30)
        }
        _ = l.recordFailure(from: "a")
        _ = l.recordFailure(from: "a")
        clock.advance(by: .seconds(10))  // the first two leave the window
        #expect(l.recordFailure(from: "a") == .counted(failures: 1))
        _ = l.recordFailure(from: "a")
        #expect(l.recordFailure(from: "a") == .lockedOut(until: clock.uptime() + .seconds(30)))
        clock.advance(by: .seconds(30))
        #expect(!l.isLockedOut("a"))
    }

    @Test("Loopback is not exempt unless configured; exempt sources are never counted")
    func exemptions() throws {
        let plain = try limiter { $0.maxFailures = 2 }
        _ = plain.recordFailure(from: "127.0.0.1")
        _ = plain.recordFailure(from: "127.0.0.1")
        #expect(plain.isLockedOut("127.0.0.1"))

        let exempt = try limiter {
            $0.maxFailures = 2
            $0.exemptSources = AuthFailureLimiterConfiguration.loopbackSources
        }
        for _ in 0..<100 {
            #expect(exempt.recordFailure(from: "127.0.0.1") == .notCounted)
            #expect(exempt.recordFailure(from: "::1") == .notCounted)
        }
        #expect(!exempt.isLockedOut("127.0.0.1") && !exempt.isLockedOut("::1"))
        _ = exempt.recordFailure(from: "10.0.0.1")
        _ = exempt.recordFailure(from: "10.0.0.1")
        #expect(exempt.isLockedOut("10.0.0.1"))
        #expect(exempt.statistics.failuresRecorded == 2)
    }

    @Test("Disabled limiter counts nothing")
    func disabled() throws {
        let l = try limiter {
            $0.isEnabled = false
            $0.maxFailures = 1
        }
        #expect(l.recordFailure(from: "a") == .notCounted)
        #expect(!l.isLockedOut("a"))
    }

    @Test("Memory is capped; eviction prefers sources that are not locked out")
    func bounded() throws {
        let l = try limiter {
            $0.maxFailures = 2
            $0.maxTrackedSources = 4
        }
        _ = l.recordFailure(from: "locked")
        _ = l.recordFailure(from: "locked")
        #expect(l.isLockedOut("locked"))
        for i in 0..<1000 { _ = l.recordFailure(from: "spoofed-\(i)") }
        #expect(l.statistics.trackedSources <= 4)
        #expect(l.statistics.evictions >= 996)
        #expect(l.isLockedOut("locked"))
        // Idle entries are dropped without counting as evictions.
        clock.advance(by: .seconds(301))
        let before = l.statistics.evictions
        for i in 0..<3 { _ = l.recordFailure(from: "new-\(i)") }
        #expect(l.statistics.evictions == before)
        #expect(l.statistics.trackedSources <= 4)
    }

    @Test("Documented defaults, invalid settings refused, 403 recommended")
    func defaults() {
        let c = AuthFailureLimiterConfiguration()
        #expect(c.isEnabled && c.maxFailures == 10 && c.window == .seconds(60) && c.lockoutDuration == .seconds(300))
        #expect(c.maxTrackedSources == 100_000 && c.exemptSources.isEmpty)
        #expect(AuthFailureLimiter.statusCode == 403)
        #expect(throws: DigestConfigurationError.self) { try limiter { $0.maxFailures = 0 } }
        #expect(throws: DigestConfigurationError.self) { try limiter { $0.window = .zero } }
        #expect(throws: DigestConfigurationError.self) { try limiter { $0.lockoutDuration = .zero } }
        #expect(throws: DigestConfigurationError.self) { try limiter { $0.maxTrackedSources = 0 } }
    }
}
