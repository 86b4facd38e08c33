public import SIPCore

/// Provisioned instruments and their line appearances (RFC 6011 §1.3.2: a phone is provisioned
/// by its MAC address, and identities are assigned to its lines).
///
/// - Every change bumps the instrument's ``ProvisionedInstrument/configurationVersion`` and is
///   published on ``provisioningChanges`` after it is committed, in commit order.
/// - ``provisionedLines`` mirrors the committed lines in memory for the registrar.
/// - Input is validated (``InstrumentDefinition/validate()``); ids are MAC addresses.
///
/// Backends: ``InMemoryProvisioningStore`` (tests, reference), `SQLiteStore` (SIPStorageSQLite).
public protocol ProvisioningStore: Sendable {
    /// Provisions an instrument; ``StorageError/instrumentExists(_:)`` if it is already there.
    @discardableResult
    func addInstrument(_ definition: InstrumentDefinition, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument

    /// Removes an instrument and its lines; ``StorageError/instrumentNotFound(_:)`` if none.
    func removeInstrument(_ id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)

    /// One instrument, or nil.
    func instrument(_ id: SIPInstrumentID) async throws(StorageError) -> ProvisionedInstrument?

    /// Every instrument, ordered by id.
    func instruments() async throws(StorageError) -> [ProvisionedInstrument]

    /// Adds a line appearance; ``StorageError/lineExists(instrument:reason:)`` when its index is
    /// taken or its user already has a line there.
    @discardableResult
    func addLine(_ line: LineDefinition, to id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument

    /// Removes the line at `index`; ``StorageError/lineNotFound(instrument:index:)`` if none.
    @discardableResult
    func removeLine(index: Int, from id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument

    /// The committed lines, in memory.
    var provisionedLines: ProvisionedLineIndex { get }

    /// Committed changes, for any number of subscribers.
    var provisioningChanges: ProvisioningChangeFeed { get }
}
