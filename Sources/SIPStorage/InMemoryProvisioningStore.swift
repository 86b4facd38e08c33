public import SIPCore
import Synchronization

/// A ``ProvisioningStore`` held in memory: for tests and as the reference the persistent
/// backends are checked against.
public final class InMemoryProvisioningStore: ProvisioningStore {
    private let stored = Mutex<[SIPInstrumentID: ProvisionedInstrument]>([:])
    public let provisionedLines = ProvisionedLineIndex()
    public let provisioningChanges: ProvisioningChangeFeed

    public init(changes: ProvisioningChangeFeed = ProvisioningChangeFeed()) {
        provisioningChanges = changes
    }

    @discardableResult
    public func addInstrument(_ definition: InstrumentDefinition, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        let instrument = try ProvisionedInstrument(definition, now: now)
        try stored.withLock { (stored) throws(StorageError) in
            guard stored[instrument.id] == nil else { throw .instrumentExists(instrument.id.value) }
            stored[instrument.id] = instrument
        }
        committed(.added, instrument)
        return instrument
    }

    public func removeInstrument(_ id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError) {
        let removed = try stored.withLock { (stored) throws(StorageError) in
            guard let instrument = stored.removeValue(forKey: id) else { throw .instrumentNotFound(id.value) }
            return instrument.removed(now: now)
        }
        committed(.removed, removed)
    }

    public func instrument(_ id: SIPInstrumentID) async throws(StorageError) -> ProvisionedInstrument? {
        stored.withLock { $0[id] }
    }

    public func instruments() async throws(StorageError) -> [ProvisionedInstrument] {
        stored.withLock { Array($0.values) }.sorted { $0.id < $1.id }
    }

    @discardableResult
    public func addLine(_ line: LineDefinition, to id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        try update(id) { (instrument) throws(StorageError) in try instrument.adding(line, now: now) }
    }

    @discardableResult
    public func removeLine(index: Int, from id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        try update(id) { (instrument) throws(StorageError) in try instrument.removingLine(index: index, now: now) }
    }

    private func update(
        _ id: SIPInstrumentID, _ change: (ProvisionedInstrument) throws(StorageError) -> ProvisionedInstrument
    ) throws(StorageError) -> ProvisionedInstrument {
        let updated = try stored.withLock { (stored) throws(StorageError) in
            guard let current = stored[id] else { throw .instrumentNotFound(id.value) }
            let updated = try change(current)
            stored[id] = updated
            return updated
        }
        committed(.updated, updated)
        return updated
    }

    private func committed(_ kind: ProvisioningChange.Kind, _ instrument: ProvisionedInstrument) {
        provisionedLines.replace(instrument.id, with: kind == .removed ? nil : instrument)
        provisioningChanges.publish(CollectionOfOne(ProvisioningChange(kind: kind, instrument: instrument)))
    }
}
