public import SIPCore
import Synchronization

/// Per-source request rate limit of the configuration service: a token bucket per source
/// address (peers.md §6 item 6: a provisioning stampede or a MAC scan must not run unbounded).
/// Each request takes a token; buckets refill at ``Configuration/requestsPerMinute`` up to
/// ``Configuration/burst``. A request without a token is refused (429 with `Retry-After`,
/// RFC 6585 §4) whatever it asks for, so the answer tells nothing about which MACs exist.
/// Time is the injected clock's monotonic ``SIPClock/uptime()``.
public final class SourceRateLimiter: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Sustained rate per source (default 120 per minute).
        public var requestsPerMinute: Int
        /// Requests a source may make at once (default 30).
        public var burst: Int
        /// Sources tracked at most; beyond it, sources whose bucket is full are forgotten
        /// (default 100,000).
        public var maxSources: Int
        /// Never limited (default: none).
        public var exemptSources: Set<String>

        public init(requestsPerMinute: Int = 120, burst: Int = 30, maxSources: Int = 100_000, exemptSources: Set<String> = []) {
            self.requestsPerMinute = max(1, requestsPerMinute)
            self.burst = max(1, burst)
            self.maxSources = max(1, maxSources)
            self.exemptSources = exemptSources
        }
    }

    /// The outcome for one request.
    public enum Decision: Sendable, Hashable {
        case allowed
        /// Refused; a token is available again after this many seconds (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: Duration
    }

    public let configuration: Configuration
    private let clock: any SIPClock
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(configuration: Configuration = Configuration(), clock: any SIPClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Takes a token for a request from `source`.
    public func admit(_ source: String) -> Decision {
        guard !configuration.exemptSources.contains(source) else { return .allowed }
        let now = clock.uptime()
        let perSecond = Double(configuration.requestsPerMinute) / 60
        let burst = Double(configuration.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[source] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated).components.seconds)
                + Double((now - bucket.updated).components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + elapsed * perSecond)
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                decision = .limited(retryAfterSeconds: max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))))
            }
            if buckets[source] == nil, buckets.count >= configuration.maxSources {
                buckets = buckets.filter { $0.value.tokens + Double((now - $0.value.updated).components.seconds) * perSecond < burst }
            }
            buckets[source] = bucket
            return decision
        }
    }

    /// Sources tracked now.
    public var trackedSources: Int { buckets.withLock { $0.count } }
}
