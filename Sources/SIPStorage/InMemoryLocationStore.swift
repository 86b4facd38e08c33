public import SIPCore
import Synchronization

/// A ``LocationStore`` held in memory: for tests and as the reference the persistent backends
/// are checked against. Batches are atomic (one lock) and published on ``changes`` in order.
public final class InMemoryLocationStore: LocationStore {
    private let bindings = Mutex<[BindingKey: Binding]>([:])
    public let changes: BindingChangeFeed

    public init(changes: BindingChangeFeed = BindingChangeFeed()) {
        self.changes = changes
    }

    public func apply(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?] {
        bindings.withLock { table in
            let result = BindingUpdate.apply(updates, to: &table)
            // Published under the lock so that concurrent batches are seen in commit order.
            changes.publish(result.lazy.compactMap { $0 })
            return result
        }
    }

    public func unexpiredBindings(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        select { !$0.isExpired(at: now) }
    }

    public func bindings(aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        select { $0.aor == aor && !$0.isExpired(at: now) }
    }

    public func bindings(instrument: SIPInstrumentID, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        select { $0.instrument == instrument && !$0.isExpired(at: now) }
    }

    @discardableResult
    public func purgeExpired(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        bindings.withLock { table in
            let expired = table.values.filter { $0.isExpired(at: now) }.sorted(by: Binding.storageOrder)
            for binding in expired { table.removeValue(forKey: binding.key) }
            changes.publish(expired.lazy.map { BindingChange(kind: .expired, binding: $0) })
            return expired
        }
    }

    private func select(_ predicate: (Binding) -> Bool) -> [Binding] {
        bindings.withLock { $0.values.filter(predicate) }.sorted(by: Binding.storageOrder)
    }
}

extension BindingUpdate {
    /// Applies `updates` in order to a table keyed by ``BindingKey``; the reference semantics of
    /// ``LocationStore/apply(_:)``.
    public static func apply(_ updates: [BindingUpdate], to table: inout [BindingKey: Binding]) -> [BindingChange?] {
        updates.map { update in
            switch update {
            case .upsert(let binding):
                if let previous = table.updateValue(binding, forKey: binding.key) {
                    return BindingChange(kind: .refreshed, binding: binding, previous: previous)
                }
                return BindingChange(kind: .added, binding: binding)
            case .remove(let key):
                return table.removeValue(forKey: key).map { BindingChange(kind: .removed, binding: $0) }
            }
        }
    }
}

extension Binding {
    /// The order stores return bindings in: by AOR, then q descending (RFC 3261 §16.6 tries
    /// higher q first), then registration time, then key.
    public static func storageOrder(_ lhs: Binding, _ rhs: Binding) -> Bool {
        if lhs.aor != rhs.aor { return lhs.aor < rhs.aor }
        if lhs.q != rhs.q { return lhs.q > rhs.q }
        if lhs.registeredAt != rhs.registeredAt { return lhs.registeredAt < rhs.registeredAt }
        return lhs.key.storageKey < rhs.key.storageKey
    }
}
