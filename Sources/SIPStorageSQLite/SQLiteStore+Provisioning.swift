public import SIPCore
public import SIPStorage
import GRDB
import Logging

/// ``ProvisioningStore`` on the `instrument` and `line_appearance` tables (migration
/// `v2-provisioning`). Each change is one write transaction that reads the instrument, applies
/// the pure edit of ``ProvisionedInstrument`` (the same rules as the in-memory store) and writes
/// it back; after the commit the line index is updated and the change published.
extension SQLiteStore {
    @discardableResult
    public func addInstrument(_ definition: InstrumentDefinition, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        let instrument = try ProvisionedInstrument(definition, now: now)
        try await Self.run {
            try await pool.write { db in
                if try Self.fetchInstrument(db, instrument.id) != nil {
                    throw StorageError.instrumentExists(instrument.id.value)
                }
                try Self.write(db, instrument)
            }
        }
        committed(.added, instrument)
        return instrument
    }

    public func removeInstrument(_ id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError) {
        let removed = try await Self.run {
            try await pool.write { db in
                guard let instrument = try Self.fetchInstrument(db, id) else {
                    throw StorageError.instrumentNotFound(id.value)
                }
                try db.execute(sql: "DELETE FROM instrument WHERE id = ?", arguments: [id.value])
                return instrument.removed(now: now)
            }
        }
        committed(.removed, removed)
    }

    public func instrument(_ id: SIPInstrumentID) async throws(StorageError) -> ProvisionedInstrument? {
        try await Self.run { try await pool.read { db in try Self.fetchInstrument(db, id) } }
    }

    public func instruments() async throws(StorageError) -> [ProvisionedInstrument] {
        try await Self.run { try await pool.read(Self.fetchInstruments) }
    }

    @discardableResult
    public func addLine(_ line: LineDefinition, to id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        try await update(id) { try $0.adding(line, now: now) }
    }

    @discardableResult
    public func removeLine(index: Int, from id: SIPInstrumentID, now: SIPTimestamp) async throws(StorageError)
        -> ProvisionedInstrument
    {
        try await update(id) { try $0.removingLine(index: index, now: now) }
    }

    private func update(
        _ id: SIPInstrumentID, _ change: @escaping @Sendable (ProvisionedInstrument) throws -> ProvisionedInstrument
    ) async throws(StorageError) -> ProvisionedInstrument {
        let updated = try await Self.run {
            try await pool.write { db in
                guard let current = try Self.fetchInstrument(db, id) else {
                    throw StorageError.instrumentNotFound(id.value)
                }
                let updated = try change(current)
                try db.execute(sql: "DELETE FROM instrument WHERE id = ?", arguments: [id.value])
                try Self.write(db, updated)
                return updated
            }
        }
        committed(.updated, updated)
        return updated
    }

    private func committed(_ kind: ProvisioningChange.Kind, _ instrument: ProvisionedInstrument) {
        provisionedLines.replace(instrument.id, with: kind == .removed ? nil : instrument)
        provisioningChanges.publish(CollectionOfOne(ProvisioningChange(kind: kind, instrument: instrument)))
        logger.info(
            "instrument \(kind.rawValue)",
            metadata: [
                "instrument": "\(instrument.id)", "version": "\(instrument.configurationVersion)",
                "lines": "\(instrument.lines.count)",
            ])
    }

    private static func write(_ db: Database, _ instrument: ProvisionedInstrument) throws {
        try db.execute(
            sql: """
                INSERT INTO instrument (id, vendor, model, label, version, created_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                instrument.id.value, instrument.vendor, instrument.model, instrument.label,
                instrument.configurationVersion, instrument.created.millisecondsSince1970,
                instrument.updated.millisecondsSince1970,
            ])
        let statement = try db.makeStatement(
            sql: "INSERT INTO line_appearance (instrument, line_index, user, domain, display_name) VALUES (?, ?, ?, ?, ?)")
        for line in instrument.lines {
            try statement.execute(arguments: [instrument.id.value, line.index, line.user, line.domain, line.displayName])
        }
    }

    static func fetchInstrument(_ db: Database, _ id: SIPInstrumentID) throws -> ProvisionedInstrument? {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(instrumentColumns) FROM instrument WHERE id = ?", arguments: [id.value])
        else { return nil }
        let lines = try Row.fetchAll(
            db, sql: "SELECT \(lineColumns) FROM line_appearance WHERE instrument = ? ORDER BY line_index",
            arguments: [id.value])
        return try instrument(row, lines: lines.map(line))
    }

    static func fetchInstruments(_ db: Database) throws -> [ProvisionedInstrument] {
        var lines: [String: [LineAppearance]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT instrument, \(lineColumns) FROM line_appearance ORDER BY instrument, line_index") {
            lines[row["instrument"], default: []].append(line(row))
        }
        return try Row.fetchAll(db, sql: "SELECT \(instrumentColumns) FROM instrument ORDER BY id").map { row in
            try instrument(row, lines: lines[row["id"]] ?? [])
        }
    }

    private static let instrumentColumns = "id, vendor, model, label, version, created_ms, updated_ms"
    private static let lineColumns = "line_index, user, domain, display_name"

    private static func instrument(_ row: Row, lines: [LineAppearance]) throws -> ProvisionedInstrument {
        let text: String = row["id"]
        guard let id = SIPInstrumentID(text) else { throw StorageError.backend("stored instrument id '\(text)' is invalid") }
        return ProvisionedInstrument(
            id: id, vendor: row["vendor"], model: row["model"], label: row["label"], lines: lines,
            configurationVersion: row["version"], created: SIPTimestamp(millisecondsSince1970: row["created_ms"]),
            updated: SIPTimestamp(millisecondsSince1970: row["updated_ms"]))
    }

    private static func line(_ row: Row) -> LineAppearance {
        LineAppearance(index: row["line_index"], user: row["user"], domain: row["domain"], displayName: row["display_name"])
    }
}
