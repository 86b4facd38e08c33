#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in time with millisecond resolution, as used by nonces (RFC 7616 §3.3: the nonce may
/// carry a time stamp so that the server can limit its validity) and by ``AuthFailureLimiter``.
///
/// What the epoch is depends on the clock that made it: ``SystemAuthClock/realtime`` counts from
/// the UNIX epoch, ``SystemAuthClock/monotonic`` from an unspecified point (usually boot).
/// Arithmetic saturates instead of trapping.
public struct AuthInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the clock's epoch.
    public var milliseconds: UInt64

    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }

    public static func < (lhs: AuthInstant, rhs: AuthInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// `lhs` moved forward by `rhs` (a negative duration moves it back), saturating at the ends.
    public static func + (lhs: AuthInstant, rhs: Duration) -> AuthInstant {
        let delta = rhs.authMilliseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.milliseconds.addingReportingOverflow(UInt64(delta))
            return AuthInstant(milliseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return AuthInstant(milliseconds: lhs.milliseconds > magnitude ? lhs.milliseconds - magnitude : 0)
    }

    /// Milliseconds from `earlier` to `self`; zero when `earlier` is later.
    func milliseconds(since earlier: AuthInstant) -> UInt64 {
        milliseconds > earlier.milliseconds ? milliseconds - earlier.milliseconds : 0
    }

    public var description: String { "\(milliseconds)ms" }
}

extension Duration {
    /// Whole milliseconds (truncated toward zero), saturating at `Int64` bounds.
    var authMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}

/// The source of time for nonce minting/checking and for failure lockouts. Inject a manual clock
/// in tests; production uses ``SystemAuthClock``.
public protocol AuthClock: Sendable {
    /// The current instant.
    func now() -> AuthInstant
}

/// The operating-system clock (POSIX `clock_gettime`).
///
/// - ``realtime`` (`CLOCK_REALTIME`, UNIX epoch) is what nonces need: a nonce minted before a
///   restart carries a time the restarted server can still judge, given a persisted secret.
/// - ``monotonic`` (`CLOCK_MONOTONIC`) never jumps; it suits ``AuthFailureLimiter``, whose state
///   does not outlive the process.
public struct SystemAuthClock: AuthClock {
    public enum Kind: Sendable, Hashable {
        case realtime
        case monotonic
    }

    public let kind: Kind

    public init(_ kind: Kind = .realtime) { self.kind = kind }

    /// `CLOCK_REALTIME`, milliseconds since the UNIX epoch.
    public static let realtime = SystemAuthClock(.realtime)
    /// `CLOCK_MONOTONIC`.
    public static let monotonic = SystemAuthClock(.monotonic)

    public func now() -> AuthInstant {
        var spec = timespec()
        let id: clockid_t
        switch kind {
        case .realtime: id = CLOCK_REALTIME
        case .monotonic: id = CLOCK_MONOTONIC
        }
        guard clock_gettime(id, &spec) == 0, spec.tv_sec >= 0 else { return AuthInstant(milliseconds: 0) }
        return AuthInstant(milliseconds: UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec / 1_000_000))
    }
}
