#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one source of time for everything that is not a transaction timer: binding expiry and
/// the Date header (RFC 3261 §10.3 steps 7–8, §20.17), nonce stamps (RFC 7616 §3.3), the
/// brute-force lockout (RFC 7616 §5) and the admin API's remaining `expires`.
///
/// Inject it (default ``SystemClock``) so tests move time by hand instead of sleeping. It has
/// two readings because two kinds of time are needed:
/// - ``now()``, the wall clock, for anything stored or sent: a binding's expiry or a nonce's
///   stamp must still mean something to the next process.
/// - ``uptime()``, a monotonic clock, for intervals that never outlive the process (lockouts):
///   it never jumps when the wall clock is set.
///
/// Transaction timers (RFC 3261 §17) run on a scheduler instead (`SIPTimerScheduler` in
/// SIPTransaction); a test double can be both.
public protocol SIPClock: Sendable {
    /// The current wall-clock time, milliseconds since the UNIX epoch (`CLOCK_REALTIME`).
    func now() -> SIPTimestamp

    /// Time since an unspecified fixed point (usually boot, `CLOCK_MONOTONIC`). Only differences
    /// of two readings of the same clock in the same process mean anything.
    func uptime() -> Duration
}

/// The operating-system clock (POSIX `clock_gettime`): ``now()`` reads `CLOCK_REALTIME`,
/// ``uptime()`` reads `CLOCK_MONOTONIC`.
public struct SystemClock: SIPClock {
    public init() {}

    public func now() -> SIPTimestamp {
        let (seconds, nanoseconds) = SystemClock.read(CLOCK_REALTIME)
        return SIPTimestamp(millisecondsSince1970: seconds &* 1000 &+ nanoseconds / 1_000_000)
    }

    public func uptime() -> Duration {
        let (seconds, nanoseconds) = SystemClock.read(CLOCK_MONOTONIC)
        return .seconds(seconds) + .nanoseconds(nanoseconds)
    }

    private static func read(_ id: clockid_t) -> (seconds: Int64, nanoseconds: Int64) {
        var spec = timespec()
        guard clock_gettime(id, &spec) == 0 else { return (0, 0) }
        return (Int64(spec.tv_sec), Int64(spec.tv_nsec))
    }
}

extension Duration {
    /// Whole milliseconds (truncated toward zero), saturating at the `Int64` bounds.
    public var sipMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
