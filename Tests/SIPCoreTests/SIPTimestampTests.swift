import SIPCore
import Testing

@Suite struct SIPTimestampTests {
    @Test func secondsUntilRoundsUpAndNeverNegative() {
        let now = SIPTimestamp(millisecondsSince1970: 10_000)
        #expect(now.seconds(until: SIPTimestamp(millisecondsSince1970: 13_001)) == 4)
        #expect(now.seconds(until: SIPTimestamp(millisecondsSince1970: 13_000)) == 3)
        #expect(now.seconds(until: SIPTimestamp(millisecondsSince1970: 9_000)) == 0)
    }

    @Test func addingSaturates() {
        #expect(SIPTimestamp(secondsSince1970: 1).adding(seconds: 3600) == SIPTimestamp(secondsSince1970: 3601))
        #expect(SIPTimestamp(millisecondsSince1970: .max - 5).adding(seconds: 10).millisecondsSince1970 == .max)
        #expect(SIPTimestamp(millisecondsSince1970: -1).secondsSince1970 == -1)
    }

    @Test func nowIsAfter2020() {
        #expect(SIPTimestamp.now() > SIPTimestamp(secondsSince1970: 1_577_836_800))
    }
}

@Suite struct SystemClockTests {
    @Test func wallClockAgreesWithNowAndUptimeNeverGoesBack() {
        let clock = SystemClock()
        let before = SIPTimestamp.now()
        let wall = clock.now()
        #expect(wall >= before && wall > SIPTimestamp(secondsSince1970: 1_577_836_800))
        let first = clock.uptime()
        let second = clock.uptime()
        #expect(first > .zero && second >= first)
    }

    @Test func durationMillisecondsTruncateAndSaturate() {
        #expect(Duration.milliseconds(1500).sipMilliseconds == 1500)
        #expect(Duration.microseconds(1999).sipMilliseconds == 1)
        #expect(Duration.microseconds(-1999).sipMilliseconds == -1)
        #expect(Duration.seconds(Int64.max).sipMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).sipMilliseconds == .min)
    }

    @Test func addingADuration() {
        let t = SIPTimestamp(secondsSince1970: 10)
        #expect(t.adding(.milliseconds(1500)) == SIPTimestamp(millisecondsSince1970: 11_500))
        #expect(t.adding(.seconds(-20)) == SIPTimestamp(secondsSince1970: -10))
        #expect(SIPTimestamp(millisecondsSince1970: .max - 5).adding(.seconds(1)).millisecondsSince1970 == .max)
        #expect(SIPTimestamp(millisecondsSince1970: .min + 5).adding(.seconds(-1)).millisecondsSince1970 == .min)
    }
}

@Suite struct TimestampCalendarTests {
    @Test(arguments: [
        // (ms since 1970, year, month, day, weekday 0=Sun, hour, minute, second, ms)
        (Int64(0), Int64(1970), Int64(1), Int64(1), 4, Int64(0), Int64(0), Int64(0), Int64(0)),
        (1_289_690_940_000, 2010, 11, 13, 6, 23, 29, 0, 0),  // RFC 3261 §20.17's example date
        (951_782_400_123, 2000, 2, 29, 2, 0, 0, 0, 123),  // leap day of a century leap year
        (-1, 1969, 12, 31, 3, 23, 59, 59, 999),  // before the epoch
    ])
    func utcComponents(
        _ millis: Int64, _ year: Int64, _ month: Int64, _ day: Int64, _ weekday: Int, _ hour: Int64, _ minute: Int64,
        _ second: Int64, _ ms: Int64
    ) {
        let t = SIPTimestamp(millisecondsSince1970: millis).utc
        #expect([t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond] == [year, month, day, hour, minute, second, ms])
        #expect(t.weekday == weekday)
    }
}
