public import SIPCore
public import SIPStorage
import Foundation
import GRDB
import Logging

extension SQLiteStore {
    @discardableResult
    public func addUser(_ credential: SIPUserCredential, now: SIPTimestamp) async throws(StorageError) -> SIPUserRecord {
        try credential.validate()
        let key = UserKey(user: credential.user, domain: credential.domain)
        let sealed = try cipher.seal(credential.password, user: key.user, domain: key.domain)
        let cache = credentialCache
        try await Self.run {
            try await pool.write { db in
                let exists = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM sip_user WHERE domain = ? AND name = ?", arguments: [key.domain, key.user]) ?? false
                if exists { throw StorageError.userExists(user: key.user, domain: key.domain) }
                try db.execute(
                    sql: "INSERT INTO sip_user (domain, name, password, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [key.domain, key.user, Data(sealed), now.millisecondsSince1970, now.millisecondsSince1970])
                db.afterNextTransaction { _ in cache?.set(sealed, for: key) }
            }
        }
        logger.info("user added", metadata: ["user": "\(key.user)", "domain": "\(key.domain)"])
        return SIPUserRecord(user: key.user, domain: key.domain, created: now)
    }

    public func setPassword(user: String, domain: String, password: String) async throws(StorageError) {
        let credential = SIPUserCredential(user: user, domain: domain, password: password)
        try credential.validate()
        let key = UserKey(user: credential.user, domain: credential.domain)
        let sealed = try cipher.seal(password, user: key.user, domain: key.domain)
        let now = SIPTimestamp.now()
        let cache = credentialCache
        try await Self.run {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE sip_user SET password = ?, updated_ms = ? WHERE domain = ? AND name = ?",
                    arguments: [Data(sealed), now.millisecondsSince1970, key.domain, key.user])
                guard db.changesCount > 0 else { throw StorageError.userNotFound(user: key.user, domain: key.domain) }
                db.afterNextTransaction { _ in cache?.set(sealed, for: key) }
            }
        }
        logger.info("password changed", metadata: ["user": "\(key.user)", "domain": "\(key.domain)"])
        credentialChanges.publish(CollectionOfOne(CredentialChange(kind: .passwordChanged, user: key.user, domain: key.domain)))
    }

    public func removeUser(user: String, domain: String) async throws(StorageError) {
        let key = UserKey(user: user, domain: domain)
        let cache = credentialCache
        try await Self.run {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM sip_user WHERE domain = ? AND name = ?", arguments: [key.domain, key.user])
                guard db.changesCount > 0 else { throw StorageError.userNotFound(user: key.user, domain: key.domain) }
                db.afterNextTransaction { _ in cache?.set(nil, for: key) }
            }
        }
        logger.info("user removed", metadata: ["user": "\(key.user)", "domain": "\(key.domain)"])
        credentialChanges.publish(CollectionOfOne(CredentialChange(kind: .removed, user: key.user, domain: key.domain)))
    }

    public func users(domain: String?) async throws(StorageError) -> [SIPUserRecord] {
        let wanted = domain.map(SIPUserCredential.canonicalDomain)
        return try await Self.run {
            try await pool.read { db in
                let rows: [Row]
                if let wanted {
                    rows = try Row.fetchAll(
                        db, sql: "SELECT name, domain, created_ms FROM sip_user WHERE domain = ? ORDER BY domain, name",
                        arguments: [wanted])
                } else {
                    rows = try Row.fetchAll(db, sql: "SELECT name, domain, created_ms FROM sip_user ORDER BY domain, name")
                }
                return rows.map { row in
                    SIPUserRecord(user: row[0], domain: row[1], created: SIPTimestamp(millisecondsSince1970: row[2]))
                }
            }
        }
    }

    /// From the sealed-password cache (``Configuration/cachesCredentials``), which this store
    /// updates after every commit that changes a user: one dictionary lookup and one AES-GCM
    /// open, no database access.
    public func cachedPassword(user: String, domain: String) -> CachedPassword {
        guard let cache = credentialCache else { return .notCached }
        let key = UserKey(user: user, domain: domain)
        guard let sealed = cache[key] else { return .unknownUser }
        guard let password = try? cipher.open(sealed, user: key.user, domain: key.domain) else { return .notCached }
        return .password(password)
    }

    public func password(user: String, domain: String) async throws(StorageError) -> String? {
        let key = UserKey(user: user, domain: domain)
        let sealed: [UInt8]?
        if let cache = credentialCache {
            sealed = cache[key]
        } else {
            sealed = try await Self.run {
                try await pool.read { db in
                    try Data.fetchOne(
                        db, sql: "SELECT password FROM sip_user WHERE domain = ? AND name = ?",
                        arguments: [key.domain, key.user]
                    ).map { Array($0) }
                }
            }
        }
        guard let sealed else { return nil }
        do {
            return try cipher.open(sealed, user: key.user, domain: key.domain)
        } catch {
            logger.error("stored password cannot be decrypted", metadata: ["user": "\(key.user)", "domain": "\(key.domain)"])
            throw error
        }
    }

    /// One transaction for the whole file: every password is sealed first, then all rows are
    /// upserted by one prepared statement; any failure rolls everything back.
    public func importUsers(_ entries: [UserImportEntry], now: SIPTimestamp) async throws(StorageError) -> UserImportSummary {
        do {
            try UserImport.validate(entries)
        } catch {
            throw .importRejected(error)
        }
        var rows: [(key: UserKey, sealed: [UInt8])] = []
        rows.reserveCapacity(entries.count)
        for entry in entries {
            let key = UserKey(user: entry.credential.user, domain: entry.credential.domain)
            rows.append((key, try cipher.seal(entry.credential.password, user: key.user, domain: key.domain)))
        }
        let sealedRows = rows
        let cache = credentialCache
        let added = try await Self.run {
            try await pool.write { db in
                let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sip_user") ?? 0
                let statement = try db.makeStatement(sql: """
                    INSERT INTO sip_user (domain, name, password, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (domain, name) DO UPDATE SET password = excluded.password, updated_ms = excluded.updated_ms
                    """)
                for row in sealedRows {
                    try statement.execute(arguments: [
                        row.key.domain, row.key.user, Data(row.sealed), now.millisecondsSince1970, now.millisecondsSince1970,
                    ])
                }
                let after = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sip_user") ?? 0
                db.afterNextTransaction { _ in
                    cache?.set(sealedRows)
                }
                return after - before
            }
        }
        let summary = UserImportSummary(added: added, updated: entries.count - added)
        logger.info("users imported", metadata: ["added": "\(summary.added)", "updated": "\(summary.updated)"])
        return summary
    }

    static func fetchAllSealedPasswords(_ db: Database) throws -> [UserKey: [UInt8]] {
        var result: [UserKey: [UInt8]] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT name, domain, password FROM sip_user")
        while let row = try cursor.next() {
            let password: Data = row[2]
            result[UserKey(user: row[0], domain: row[1])] = Array(password)
        }
        return result
    }
}
