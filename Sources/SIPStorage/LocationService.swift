public import SIPCore
import Synchronization

/// The in-memory location service (RFC 3261 §10.3, §16.5; Kamailio's usrloc): every unexpired
/// binding, indexed by address-of-record, by instrument (draft-worley-instrument-identification)
/// and by `+sip.instance` (RFC 5626). The registrar writes it (through ``BindingWriter``); the
/// proxy and the event notifier read it, without importing each other.
///
/// It mirrors the durable ``LocationStore``: ``BindingWriter`` applies each committed batch of
/// changes here right after the commit and before any REGISTER of the batch is answered
/// (``apply(_:)``), ``RegistrationExpiryService`` removes purged bindings, and ``load(_:)``
/// fills it at start from the store. Reads never see an expired binding: they filter by `now`.
/// All access is serialized by one mutex, held only for the lookup itself, never across an
/// `await`. A request target — an AOR, `~~in~MAC` or `~~in~USER&MAC` — is one call:
/// ``contacts(for:now:)``.
public final class LocationService: Sendable {
    /// The tables. A binding is one ``StoredBinding`` object, listed under its AOR, its
    /// instrument and its instance (small arrays: an AOR has a handful of bindings); lookups by
    /// key search the AOR's list.
    private struct Index {
        var byAOR: [String: [StoredBinding]] = [:]
        var byInstrument: [SIPInstrumentID: [StoredBinding]] = [:]
        var byInstance: [String: [StoredBinding]] = [:]
        var count = 0

        mutating func insert(_ binding: Binding) {
            remove(binding.key)
            let stored = StoredBinding(binding)
            byAOR[binding.aor, default: []].append(stored)
            if let instrument = binding.instrument { byInstrument[instrument, default: []].append(stored) }
            if let instance = binding.instance { byInstance[instance, default: []].append(stored) }
            count += 1
        }

        mutating func remove(_ key: BindingKey) {
            let aor = key.aor
            guard var list = byAOR[aor], let position = list.firstIndex(where: { $0.key == key }) else { return }
            let stored = list.remove(at: position)
            byAOR[aor] = list.isEmpty ? nil : list
            if let instrument = stored.instrument { Self.drop(stored, at: instrument, from: &byInstrument) }
            if let instance = stored.instance { Self.drop(stored, at: instance, from: &byInstance) }
            count -= 1
        }

        static func drop<K: Hashable>(_ stored: StoredBinding, at key: K, from table: inout [K: [StoredBinding]]) {
            guard var list = table[key] else { return }
            list.removeAll { $0 === stored }
            table[key] = list.isEmpty ? nil : list
        }

        func bindings(_ list: [StoredBinding]?, now: SIPTimestamp) -> [Binding] {
            guard let list else { return [] }
            var result: [Binding] = []
            result.reserveCapacity(list.count)
            for stored in list where !stored.isExpired(at: now) { result.append(stored.binding) }
            return result
        }
    }

    private let index = Mutex(Index())

    public init() {}

    /// Replaces the contents with `bindings` (at start, from the store).
    public func load(_ bindings: [Binding]) {
        index.withLock { index in
            index = Index()
            for binding in bindings { index.insert(binding) }
        }
    }

    /// Applies committed changes: `added`/`refreshed` store the binding, `removed`/`expired`
    /// drop it.
    public func apply(_ changes: some Sequence<BindingChange>) {
        index.withLock { index in
            for change in changes {
                switch change.kind {
                case .added, .refreshed:
                    if let previous = change.previous, previous.key != change.binding.key { index.remove(previous.key) }
                    index.insert(change.binding)
                case .removed, .expired:
                    index.remove(change.binding.key)
                }
            }
        }
    }

    /// The unexpired bindings of an AOR (canonical form), highest q first (RFC 3261 §16.6).
    public func contacts(aor: String, now: SIPTimestamp) -> [Binding] {
        Self.ordered(index.withLock { $0.bindings($0.byAOR[aor], now: now) })
    }

    /// Every unexpired binding registered by an instrument (`sip:~~in~MAC@domain`).
    public func contacts(instrument: SIPInstrumentID, now: SIPTimestamp) -> [Binding] {
        Self.ordered(index.withLock { $0.bindings($0.byInstrument[instrument], now: now) })
    }

    /// The bindings of `aor` registered by `instrument` (`sip:~~in~USER&MAC@domain`).
    public func contacts(instrument: SIPInstrumentID, aor: String, now: SIPTimestamp) -> [Binding] {
        Self.ordered(index.withLock { $0.bindings($0.byInstrument[instrument], now: now) }.filter { $0.aor == aor })
    }

    /// The unexpired bindings a request target reaches: an AOR's (highest q first), or an
    /// instrument's across its AORs, or one user's on one instrument.
    public func contacts(for target: SIPLocationTarget, now: SIPTimestamp) -> [Binding] {
        switch target {
        case .addressOfRecord(let aor): contacts(aor: aor, now: now)
        case .instrument(let instrument): contacts(instrument: instrument, now: now)
        case .lineAppearance(let instrument, let aor): contacts(instrument: instrument, aor: aor, now: now)
        }
    }

    /// The unexpired bindings with this `+sip.instance` value.
    public func contacts(instance: String, now: SIPTimestamp) -> [Binding] {
        Self.ordered(index.withLock { $0.bindings($0.byInstance[instance], now: now) })
    }

    /// Every unexpired binding (for the admin API), ordered by AOR then q.
    public func allContacts(now: SIPTimestamp) -> [Binding] {
        let all = index.withLock { index in index.byAOR.values.flatMap { index.bindings($0, now: now) } }
        return all.sorted { ($0.aor, -$0.q, $0.contact) < ($1.aor, -$1.q, $1.contact) }
    }

    /// The number of bindings held (expired ones not yet purged included).
    public var count: Int { index.withLock { $0.count } }

    /// Highest q first; ties broken by the most recent registration, then contact text, so the
    /// order is deterministic.
    static func ordered(_ bindings: [Binding]) -> [Binding] {
        bindings.sorted {
            if $0.q != $1.q { return $0.q > $1.q }
            if $0.updatedAt != $1.updatedAt { return $0.updatedAt > $1.updatedAt }
            return $0.contact < $1.contact
        }
    }
}
