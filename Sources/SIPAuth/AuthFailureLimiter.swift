public import SIPCore
import Synchronization

/// Brute-force protection for digest authentication (RFC 7616 §5 "Online Dictionary
/// Attacks"): after ``AuthFailureLimiterConfiguration/maxFailures`` failed authentications from
/// one source within ``AuthFailureLimiterConfiguration/window``, the source is locked out for
/// ``AuthFailureLimiterConfiguration/lockoutDuration``.
///
/// The caller keys sources by address without port (`"192.0.2.7"`, `"2001:db8::1"`), asks
/// ``isLockedOut(_:)`` before authenticating, and calls ``recordFailure(from:)`` for every
/// ``DigestVerification/failure(_:)`` (not for `stale`). Successes do not reset the count, so an
/// attacker holding one valid account cannot interleave logins to keep guessing others.
///
/// **Locked-out sources get 403, not silence.** Answer `403` with reason phrase
/// ``reasonPhrase``: SIPp and phones stop on a final 403, whereas a dropped UDP request is
/// retransmitted for 32 s (RFC 3261 §17.1.2.2 Timer F) and makes more load than it saves. The
/// 403 is sent without checking credentials, so a locked-out source learns nothing about
/// passwords. Note that spoofed UDP sources can lock out a victim address; exempt trusted
/// gateways with ``AuthFailureLimiterConfiguration/exemptSources``.
///
/// Memory is bounded by ``AuthFailureLimiterConfiguration/maxTrackedSources``: idle entries are
/// dropped as they reach the front of the creation order; when full, the oldest entry is evicted,
/// preferring (among the first 16 looked at) one that is not locked out.
///
/// Thread-safe (state behind a mutex). Time is the injected clock's monotonic reading
/// (``SIPClock/uptime()``), so setting the wall clock neither extends nor ends a lockout.
public final class AuthFailureLimiter: Sendable {
    /// What recording a failure did.
    public enum FailureOutcome: Sendable, Hashable {
        /// The limiter is disabled or the source is exempt; nothing was counted.
        case notCounted
        /// Counted; `failures` within the window so far (below the limit).
        case counted(failures: Int)
        /// This failure reached the limit: the source is locked out until `until`, a reading of
        /// the clock's ``SIPClock/uptime()``.
        case lockedOut(until: Duration)
        /// The source was already locked out (the caller should have refused it earlier).
        case alreadyLockedOut(until: Duration)
    }

    /// Counters for metrics.
    public struct Statistics: Sendable, Hashable {
        /// Failures counted (exempt sources and disabled limiter excluded).
        public var failuresRecorded: Int = 0
        /// Lockouts started.
        public var lockoutsStarted: Int = 0
        /// Sources dropped because the table was full.
        public var evictions: Int = 0
        /// Sources remembered now.
        public var trackedSources: Int = 0
    }

    /// Status code for requests from a locked-out source.
    public static let statusCode = 403
    /// Reason phrase for that 403.
    public static let reasonPhrase = "Forbidden - Too Many Failed Authentications"

    public let configuration: AuthFailureLimiterConfiguration
    private let clock: any SIPClock
    private let state: Mutex<FailureTable>

    /// - Throws: ``DigestConfigurationError`` when the configuration is invalid.
    public init(
        configuration: AuthFailureLimiterConfiguration = .init(),
        clock: any SIPClock = SystemClock()
    ) throws(DigestConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.state = Mutex(FailureTable(configuration: configuration))
    }

    /// True while `source` is locked out.
    public func isLockedOut(_ source: String) -> Bool { lockedOutUntil(source) != nil }

    /// The end of `source`'s lockout (an ``SIPClock/uptime()`` reading), or nil when it is not
    /// locked out.
    public func lockedOutUntil(_ source: String) -> Duration? {
        guard counts(source) else { return nil }
        let now = uptimeMilliseconds()
        return state.withLock { $0.lockedUntil(source, now: now) }.map(FailureTable.duration)
    }

    /// Records one failed authentication from `source`.
    @discardableResult
    public func recordFailure(from source: String) -> FailureOutcome {
        guard counts(source) else { return .notCounted }
        let now = uptimeMilliseconds()
        return state.withLock { $0.recordFailure(source, now: now) }
    }

    /// Current counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    private func uptimeMilliseconds() -> UInt64 { UInt64(clamping: clock.uptime().sipMilliseconds) }

    private func counts(_ source: String) -> Bool {
        configuration.isEnabled && !configuration.exemptSources.contains(source)
    }
}

/// The per-source state of ``AuthFailureLimiter``.
struct FailureTable: Sendable {
    struct Entry: Sendable {
        /// Times of the failures within the window, oldest first.
        var failures: [UInt64] = []
        var lockedUntil: UInt64?
    }

    static let evictionScan = 16
    static let purgePerCall = 16

    let maxFailures: Int
    let window: UInt64
    let lockout: UInt64
    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Creation order; `order[head...]` and `entries` hold the same keys.
    private var order: [String] = []
    private var head = 0
    var statistics = AuthFailureLimiter.Statistics()

    init(configuration: AuthFailureLimiterConfiguration) {
        maxFailures = configuration.maxFailures
        window = UInt64(configuration.window.sipMilliseconds)
        lockout = UInt64(configuration.lockoutDuration.sipMilliseconds)
        capacity = configuration.maxTrackedSources
    }

    func lockedUntil(_ source: String, now: UInt64) -> UInt64? {
        guard let until = entries[source]?.lockedUntil, now < until else { return nil }
        return until
    }

    mutating func recordFailure(_ source: String, now: UInt64) -> AuthFailureLimiter.FailureOutcome {
        var entry: Entry
        if let existing = entries[source] {
            entry = existing
            if let until = entry.lockedUntil {
                if now < until { return .alreadyLockedOut(until: FailureTable.duration(until)) }
                entry = Entry()
            }
        } else {
            purgeIdle(now: now)
            if entries.count >= capacity { evict(now: now) }
            entry = Entry()
            order.append(source)
        }
        statistics.failuresRecorded += 1
        entry.failures.removeAll { now >= $0 && now - $0 >= window }
        entry.failures.append(now)
        let outcome: AuthFailureLimiter.FailureOutcome
        if entry.failures.count >= maxFailures {
            let (until, overflow) = now.addingReportingOverflow(lockout)
            entry.lockedUntil = overflow ? .max : until
            entry.failures = []
            statistics.lockoutsStarted += 1
            outcome = .lockedOut(until: FailureTable.duration(entry.lockedUntil!))
        } else {
            outcome = .counted(failures: entry.failures.count)
        }
        entries[source] = entry
        statistics.trackedSources = entries.count
        return outcome
    }

    /// A millisecond reading as a `Duration`.
    static func duration(_ milliseconds: UInt64) -> Duration { .milliseconds(Int64(clamping: milliseconds)) }

    private func isIdle(_ entry: Entry, now: UInt64) -> Bool {
        if let until = entry.lockedUntil, now < until { return false }
        if entry.lockedUntil != nil { return true }
        guard let last = entry.failures.last else { return true }
        return now >= last && now - last >= window
    }

    private func isLocked(_ entry: Entry, now: UInt64) -> Bool {
        guard let until = entry.lockedUntil else { return false }
        return now < until
    }

    /// Drops idle entries at the front of the creation order (a few per call).
    private mutating func purgeIdle(now: UInt64) {
        var budget = FailureTable.purgePerCall
        while budget > 0, head < order.count, let entry = entries[order[head]], isIdle(entry, now: now) {
            entries[order[head]] = nil
            head += 1
            budget -= 1
        }
        compact()
    }

    /// Removes one entry, preferring one that is not locked out among the oldest few.
    private mutating func evict(now: UInt64) {
        var scanned = 0
        while scanned < FailureTable.evictionScan, head < order.count, let entry = entries[order[head]],
            isLocked(entry, now: now), order.count - head > 1
        {
            order.append(order[head])  // keep the lockout, look at the next one
            head += 1
            scanned += 1
        }
        guard head < order.count else { return }
        entries[order[head]] = nil
        head += 1
        statistics.evictions += 1
        compact()
    }

    private mutating func compact() {
        if head >= 1024 && head * 2 >= order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
