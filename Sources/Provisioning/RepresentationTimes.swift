public import SIPCore
import Synchronization

/// `Last-Modified` for rendered configurations (RFC 9110 §8.8.2): the time this process first
/// rendered the bytes a resource now has. A configuration depends on the instrument, its users'
/// passwords and the templates, so no single stored time covers it; the entity tag does. When
/// a resource's tag changes, its time becomes now (a second back, see below); the first render after a start is dated at
/// that render, never earlier than the content really changed (a client's `If-Modified-Since`
/// from before a restart then gets one extra 200, never a wrong 304).
public final class RepresentationTimes: Sendable {
    private let entries = Mutex<[String: (tag: EntityTag, since: SIPTimestamp)]>([:])
    /// Resources remembered at most (one per phone file); the oldest half is forgotten beyond.
    public let capacity: Int

    public init(capacity: Int = 200_000) { self.capacity = max(2, capacity) }

    /// The `Last-Modified` of `resource` rendered as `tag` at `now`.
    public func lastModified(of resource: String, tag: EntityTag, now: SIPTimestamp) -> SIPTimestamp {
        entries.withLock { entries in
            if let entry = entries[resource], entry.tag == tag { return entry.since }
            if entries.count >= capacity {
                let oldest = entries.sorted { $0.value.since < $1.value.since }.prefix(capacity / 2)
                for (key, _) in oldest { entries.removeValue(forKey: key) }
            }
            // A second back, in whole seconds: never later than the response's Date, which the
            // HTTP server writes from a clock cached per second (RFC 9110 §8.8.2.1).
            let since = SIPTimestamp(millisecondsSince1970: (now.millisecondsSince1970 / 1000 - 1) * 1000)
            entries[resource] = (tag, since)
            return since
        }
    }
}
