public import SIPCore

/// The durable location service of a registrar (RFC 3261 §10.3): bindings keyed by
/// ``BindingKey``, queried by AOR and by instrument.
///
/// - ``apply(_:)`` writes a batch atomically and returns only after it is committed (durable for
///   persistent backends), so a registrar that awaits it answers 200 only for stored bindings.
///   Batches from many concurrent REGISTERs are combined by ``BindingWriter`` (group commit).
/// - Committed changes are published on ``changes`` in commit order.
/// - Queries take `now` and never return a binding expired at `now`; expired rows stay stored
///   until ``purgeExpired(at:)`` removes them (and publishes `expired` changes).
///
/// Backends: ``InMemoryLocationStore`` (tests, reference), `SQLiteStore` (SIPStorageSQLite);
/// a PostgreSQL backend implements the same protocol. Callers hold an `any LocationStore`
/// (the composition root picks the backend from configuration) or are generic over it.
public protocol LocationStore: Sendable {
    /// Applies `updates` in order in one transaction. The result has one element per update:
    /// the change it made, or nil when it changed nothing (removing an absent key). If it
    /// throws, nothing was written.
    func apply(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?]

    /// Every binding not expired at `now`: what a registrar loads at start (restart restore).
    func unexpiredBindings(at now: SIPTimestamp) async throws(StorageError) -> [Binding]

    /// The unexpired bindings of an AOR (canonical form, see ``Binding/canonicalAOR(_:)``).
    func bindings(aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding]

    /// The unexpired bindings registered by an instrument, across all AORs.
    func bindings(instrument: SIPInstrumentID, at now: SIPTimestamp) async throws(StorageError) -> [Binding]

    /// Removes every binding expired at `now` in one transaction, publishes an `expired` change
    /// for each and returns them. The registrar calls this from its expiry timer.
    @discardableResult
    func purgeExpired(at now: SIPTimestamp) async throws(StorageError) -> [Binding]

    /// Committed changes, for any number of subscribers.
    var changes: BindingChangeFeed { get }
}

extension LocationStore {
    /// The unexpired bindings of `instrument` registered for `aor` (`~~in~USER&INSTRUMENT`).
    public func bindings(instrument: SIPInstrumentID, aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await bindings(instrument: instrument, at: now).filter { $0.aor == aor }
    }
}
