import SIPCore

/// Settings of ``AuthFailureLimiter`` (brute-force protection for digest authentication against
/// online password guessing, RFC 7616 §5 "Online Dictionary Attacks"; RFC 2617 §4.6).
///
/// | Setting | Default | Meaning |
/// | --- | --- | --- |
/// | ``isEnabled`` | `true` | Off: nothing is counted, nobody is locked out. |
/// | ``maxFailures`` | 10 | Failed authentications from one source that trigger a lockout… |
/// | ``window`` | 60 s | …when they fall within this sliding window. |
/// | ``lockoutDuration`` | 300 s | How long the source stays locked out. |
/// | ``maxTrackedSources`` | 100 000 | Cap on remembered sources; when full the oldest-created entry that is not locked out is evicted. |
/// | ``exemptSources`` | empty | Source keys never counted nor locked out (exact match). Loopback is NOT exempt unless listed, e.g. ``loopbackSources`` for tests. |
public struct AuthFailureLimiterConfiguration: Sendable, Hashable {
    public var isEnabled: Bool = true
    public var maxFailures: Int = 10
    public var window: Duration = .seconds(60)
    public var lockoutDuration: Duration = .seconds(300)
    public var maxTrackedSources: Int = 100_000
    public var exemptSources: Set<String> = []

    /// `127.0.0.1` and `::1`, for tests and local tools that must never be locked out; add them
    /// to ``exemptSources`` explicitly.
    public static let loopbackSources: Set<String> = ["127.0.0.1", "::1"]

    /// The defaults listed above.
    public init() {}

    /// Checks the settings; ``AuthFailureLimiter`` calls this.
    public func validate() throws(DigestConfigurationError) {
        guard maxFailures >= 1 else { throw DigestConfigurationError("maxFailures must be at least 1") }
        guard window.sipMilliseconds >= 1 else { throw DigestConfigurationError("window must be positive") }
        guard lockoutDuration.sipMilliseconds >= 1 else {
            throw DigestConfigurationError("lockoutDuration must be positive")
        }
        guard maxTrackedSources >= 1 else { throw DigestConfigurationError("maxTrackedSources must be at least 1") }
    }
}
