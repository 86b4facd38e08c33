public import SIPCore
import Synchronization

/// ``SubscriptionStore`` in memory (tests, and the reference for the durable backends).
public final class InMemorySubscriptionStore: SubscriptionStore {
    private let stored = Mutex<[SubscriptionKey: StoredSubscription]>([:])

    public init() {}

    public func saveSubscription(_ subscription: StoredSubscription) async throws(StorageError) {
        stored.withLock { $0[subscription.key] = subscription }
    }

    public func removeSubscription(_ key: SubscriptionKey) async throws(StorageError) {
        _ = stored.withLock { $0.removeValue(forKey: key) }
    }

    public func activeSubscriptions(at now: SIPTimestamp) async throws(StorageError) -> [StoredSubscription] {
        stored.withLock { stored in
            stored = stored.filter { $0.value.expiresAt > now }
            return stored.values.sorted { ($0.callID, $0.localTag) < ($1.callID, $1.localTag) }
        }
    }

    /// Subscriptions held now (tests).
    public var count: Int { stored.withLock { $0.count } }
}
