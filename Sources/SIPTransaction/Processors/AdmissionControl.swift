import Synchronization

/// Decides how much new work to admit while the server is overloaded (RFC 7339's "loss"
/// algorithm in spirit: the fraction admitted adapts to what the server manages).
///
/// Additive increase, multiplicative decrease, adjusted at most once per ``interval``: while
/// the overload signal is up, the admitted fraction shrinks (× ``decrease``, down to
/// ``minimumFraction``); while it is down, it grows back (+ ``increase``, up to 1). A new
/// request is admitted when a running credit reaches 1, which spreads admissions evenly
/// instead of admitting bursts. Under sustained overload the admitted rate settles near what
/// the server can finish, so goodput stays close to capacity instead of collapsing into
/// 503s (all shed) or retransmissions (nothing shed). All state is atomic: any event loop may
/// ask.
public final class SIPAdmissionControl: Sendable {
    public let interval: Duration
    public let decrease: Double
    public let increase: Double
    public let minimumFraction: Double

    /// The admitted fraction in millionths.
    private let fraction = Atomic<Int>(1_000_000)
    /// Accumulated admission credit in millionths.
    private let credit = Atomic<Int>(0)
    /// When the fraction was last adjusted, in nanoseconds of `ContinuousClock` since `epoch`.
    private let lastAdjusted = Atomic<Int64>(Int64.min / 2)
    private let epoch = ContinuousClock.now

    public init(
        interval: Duration = .milliseconds(100), decrease: Double = 0.75, increase: Double = 0.05,
        minimumFraction: Double = 0.02
    ) {
        self.interval = interval
        self.decrease = decrease
        self.increase = increase
        self.minimumFraction = minimumFraction
    }

    /// The fraction of new requests admitted now, 0…1.
    public var admittedFraction: Double { Double(fraction.load(ordering: .relaxed)) / 1_000_000 }

    /// Whether to admit one new request, given the overload signal now.
    public func admit(overloaded: Bool, now: ContinuousClock.Instant = .now) -> Bool {
        adjust(overloaded: overloaded, now: now)
        let current = fraction.load(ordering: .relaxed)
        if current >= 1_000_000 { return true }
        let (total, _) = credit.wrappingAdd(current, ordering: .relaxed)
        guard total >= 1_000_000 else { return false }
        credit.wrappingSubtract(1_000_000, ordering: .relaxed)
        return true
    }

    private func adjust(overloaded: Bool, now: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (now - epoch).components
        let nanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let last = lastAdjusted.load(ordering: .relaxed)
        let (intervalSeconds, intervalAttos) = interval.components
        let step = intervalSeconds * 1_000_000_000 + intervalAttos / 1_000_000_000
        guard nanos - last >= step,
            lastAdjusted.compareExchange(expected: last, desired: nanos, ordering: .relaxed).exchanged
        else { return }
        let current = Double(fraction.load(ordering: .relaxed)) / 1_000_000
        let next = overloaded ? max(minimumFraction, current * decrease) : min(1, current + increase)
        fraction.store(Int(next * 1_000_000), ordering: .relaxed)
    }
}
