public import SIPCore
public import SIPStorage
import GRDB
import Logging

extension SQLiteStore {
    public func apply(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?] {
        if updates.isEmpty { return [] }
        let feed = changes
        return try await Self.run {
            try await pool.write { db in
                let select = try db.cachedStatement(sql: "SELECT \(BindingColumns.list) FROM binding WHERE key = ?")
                let upsert = try db.cachedStatement(sql: BindingColumns.upsertSQL)
                let delete = try db.cachedStatement(sql: "DELETE FROM binding WHERE key = ?")
                var results: [BindingChange?] = []
                results.reserveCapacity(updates.count)
                for update in updates {
                    let storageKey = update.key.storageKey
                    let previous = try Row.fetchOne(select, arguments: [storageKey]).map(BindingColumns.binding(from:))
                    switch update {
                    case .upsert(let binding):
                        try upsert.execute(arguments: BindingColumns.arguments(for: binding, storageKey: storageKey))
                        results.append(
                            previous.map { BindingChange(kind: .refreshed, binding: binding, previous: $0) }
                                ?? BindingChange(kind: .added, binding: binding))
                    case .remove:
                        if let previous {
                            try delete.execute(arguments: [storageKey])
                            results.append(BindingChange(kind: .removed, binding: previous))
                        } else {
                            results.append(nil)
                        }
                    }
                }
                let committed = results.compactMap { $0 }
                // Runs on the writer queue after COMMIT, so changes are published in commit order.
                db.afterNextTransaction { _ in feed.publish(committed) }
                return results
            }
        }
    }

    public func unexpiredBindings(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await fetch("expires_ms > ?", [now.millisecondsSince1970])
    }

    public func bindings(aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await fetch("aor = ? AND expires_ms > ?", [aor, now.millisecondsSince1970])
    }

    public func bindings(instrument: SIPInstrumentID, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await fetch("instrument = ? AND expires_ms > ?", [instrument.value, now.millisecondsSince1970])
    }

    @discardableResult
    public func purgeExpired(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        let feed = changes
        let expired = try await Self.run {
            try await pool.write { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(BindingColumns.list) FROM binding WHERE expires_ms <= ?",
                    arguments: [now.millisecondsSince1970])
                guard !rows.isEmpty else { return [Binding]() }
                try db.execute(sql: "DELETE FROM binding WHERE expires_ms <= ?", arguments: [now.millisecondsSince1970])
                let expired = rows.map(BindingColumns.binding(from:)).sorted(by: Binding.storageOrder)
                db.afterNextTransaction { _ in
                    feed.publish(expired.lazy.map { BindingChange(kind: .expired, binding: $0) })
                }
                return expired
            }
        }
        if !expired.isEmpty { logger.debug("purged expired bindings", metadata: ["count": "\(expired.count)"]) }
        return expired
    }

    /// Rows are read with a cursor and turned into bindings one at a time: a restore of 100,000
    /// bindings never holds 100,000 GRDB rows at once.
    private func fetch(_ condition: String, _ arguments: StatementArguments) async throws(StorageError) -> [Binding] {
        try await Self.run {
            try await pool.read { db in
                var bindings: [Binding] = []
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: "SELECT \(BindingColumns.list) FROM binding WHERE \(condition)"),
                    arguments: arguments)
                while let row = try rows.next() { bindings.append(BindingColumns.binding(from: row)) }
                return bindings
            }
        }.sorted(by: Binding.storageOrder)
    }
}

/// The mapping between ``Binding`` and a row of the `binding` table.
enum BindingColumns {
    static let names = [
        "key", "aor", "contact", "expires_ms", "q", "call_id", "cseq", "instrument", "instance", "reg_id", "path",
        "source", "transport", "connection_id", "local_listener", "user_agent", "registered_ms", "updated_ms",
    ]
    static let list = names.joined(separator: ", ")
    /// An upsert that updates a refreshed row in place (`ON CONFLICT … DO UPDATE`, SQLite ≥ 3.24):
    /// SQLite then touches only the indexes whose columns changed — for a refresh, the expiry
    /// index — where `INSERT OR REPLACE` deleted and re-inserted the row in every index.
    static let upsertSQL =
        "INSERT INTO binding (\(list)) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
        + " ON CONFLICT(key) DO UPDATE SET "
        + names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    static func arguments(for binding: Binding, storageKey: String) -> StatementArguments {
        [
            storageKey, binding.aor, binding.contact, binding.expiresAt.millisecondsSince1970, binding.q,
            binding.callID, Int64(binding.cseq), binding.instrument?.value, binding.instance, binding.regID,
            binding.path.joined(separator: "\n"), binding.source, binding.transport,
            binding.connectionID.map { Int64(bitPattern: $0) }, binding.localListener, binding.userAgent,
            binding.registeredAt.millisecondsSince1970, binding.updatedAt.millisecondsSince1970,
        ]
    }

    static func binding(from row: Row) -> Binding {
        let path: String = row[10]
        let instrument: String? = row[7]
        let connection: Int64? = row[13]
        let cseq: Int64 = row[6]
        return Binding(
            aor: row[1], contact: row[2], expiresAt: SIPTimestamp(millisecondsSince1970: row[3]), q: row[4],
            callID: row[5], cseq: UInt32(truncatingIfNeeded: cseq), instrument: instrument.flatMap { SIPInstrumentID($0) },
            instance: row[8], regID: row[9], path: path.isEmpty ? [] : path.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
            source: row[11], transport: row[12], connectionID: connection.map { UInt64(bitPattern: $0) },
            localListener: row[14], userAgent: row[15], registeredAt: SIPTimestamp(millisecondsSince1970: row[16]),
            updatedAt: SIPTimestamp(millisecondsSince1970: row[17]))
    }
}
