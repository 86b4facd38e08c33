/// A wall-clock instant, in milliseconds since the Unix epoch (UTC).
///
/// Binding expiry (RFC 3261 §10.3 step 7) is kept as an absolute time so that bindings survive
/// a restart: a monotonic clock would mean nothing to the next process. Milliseconds in an
/// `Int64` map directly onto an SQLite `INTEGER` and a PostgreSQL `bigint`. Callers inject the
/// current time (a ``SIPClock``, or `now` parameters) so tests never depend on the real clock;
/// ``now()`` reads the system clock.
public struct SIPTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// Whole seconds since the epoch.
    public init(secondsSince1970: Int64) {
        self.millisecondsSince1970 = secondsSince1970 &* 1000
    }

    /// Whole seconds since the epoch (rounded down).
    public var secondsSince1970: Int64 {
        millisecondsSince1970 >= 0 ? millisecondsSince1970 / 1000 : (millisecondsSince1970 - 999) / 1000
    }

    /// The current wall-clock time (`CLOCK_REALTIME`): ``SystemClock/now()``.
    public static func now() -> SIPTimestamp { SystemClock().now() }

    /// This instant moved by `seconds` (saturating).
    public func adding(seconds: Int64) -> SIPTimestamp {
        let (product, overflow1) = seconds.multipliedReportingOverflow(by: 1000)
        let (sum, overflow2) = millisecondsSince1970.addingReportingOverflow(product)
        if overflow1 || overflow2 { return SIPTimestamp(millisecondsSince1970: seconds < 0 ? .min : .max) }
        return SIPTimestamp(millisecondsSince1970: sum)
    }

    /// This instant moved by `duration`, truncated to whole milliseconds (saturating).
    public func adding(_ duration: Duration) -> SIPTimestamp {
        let (sum, overflow) = millisecondsSince1970.addingReportingOverflow(duration.sipMilliseconds)
        if overflow { return SIPTimestamp(millisecondsSince1970: duration < .zero ? .min : .max) }
        return SIPTimestamp(millisecondsSince1970: sum)
    }

    /// Whole seconds from `self` until `later`, rounded up, never negative. This is the
    /// `expires` value a registrar puts in a Contact of its 200 OK (RFC 3261 §10.3 step 8).
    public func seconds(until later: SIPTimestamp) -> Int64 {
        let (delta, overflow) = later.millisecondsSince1970.subtractingReportingOverflow(millisecondsSince1970)
        if overflow { return later > self ? .max / 1000 : 0 }
        guard delta > 0 else { return 0 }
        return (delta + 999) / 1000
    }

    public static func < (lhs: SIPTimestamp, rhs: SIPTimestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    public var description: String { "@\(millisecondsSince1970)ms" }
}
