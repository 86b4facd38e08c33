public import SIPCore
import Synchronization

/// A ``CredentialStore`` held in memory: for tests and as the reference the persistent
/// backends are checked against. Passwords are kept as given (nothing is at rest).
public final class InMemoryCredentialStore: CredentialStore {
    private struct Entry {
        var record: SIPUserRecord
        var password: String
    }

    private let users = Mutex<[UserKey: Entry]>([:])

    public init() {}

    @discardableResult
    public func addUser(_ credential: SIPUserCredential, now: SIPTimestamp) async throws(StorageError) -> SIPUserRecord {
        try credential.validate()
        let key = UserKey(user: credential.user, domain: credential.domain)
        let record = SIPUserRecord(user: key.user, domain: key.domain, created: now)
        try users.withLock { (users) throws(StorageError) in
            guard users[key] == nil else { throw .userExists(user: key.user, domain: key.domain) }
            users[key] = Entry(record: record, password: credential.password)
        }
        return record
    }

    public func setPassword(user: String, domain: String, password: String) async throws(StorageError) {
        let credential = SIPUserCredential(user: user, domain: domain, password: password)
        try credential.validate()
        let key = UserKey(user: user, domain: domain)
        try users.withLock { (users) throws(StorageError) in
            guard users[key] != nil else { throw .userNotFound(user: key.user, domain: key.domain) }
            users[key]!.password = password
        }
    }

    public func removeUser(user: String, domain: String) async throws(StorageError) {
        let key = UserKey(user: user, domain: domain)
        try users.withLock { (users) throws(StorageError) in
            guard users.removeValue(forKey: key) != nil else { throw .userNotFound(user: key.user, domain: key.domain) }
        }
    }

    public func users(domain: String?) async throws(StorageError) -> [SIPUserRecord] {
        let wanted = domain.map(SIPUserCredential.canonicalDomain)
        return users.withLock { users in
            users.values.map(\.record).filter { wanted == nil || $0.domain == wanted }
        }.sorted { ($0.domain, $0.user) < ($1.domain, $1.user) }
    }

    public func cachedPassword(user: String, domain: String) -> CachedPassword {
        let key = UserKey(user: user, domain: domain)
        return users.withLock { $0[key] }.map { .password($0.password) } ?? .unknownUser
    }

    public func password(user: String, domain: String) async throws(StorageError) -> String? {
        let key = UserKey(user: user, domain: domain)
        return users.withLock { $0[key]?.password }
    }

    public func importUsers(_ entries: [UserImportEntry], now: SIPTimestamp) async throws(StorageError) -> UserImportSummary {
        do {
            try UserImport.validate(entries)
        } catch {
            throw .importRejected(error)
        }
        return users.withLock { users in
            var summary = UserImportSummary(added: 0, updated: 0)
            for entry in entries {
                let key = UserKey(user: entry.credential.user, domain: entry.credential.domain)
                if users[key] != nil {
                    users[key]!.password = entry.credential.password
                    summary.updated += 1
                } else {
                    users[key] = Entry(record: SIPUserRecord(user: key.user, domain: key.domain, created: now), password: entry.credential.password)
                    summary.added += 1
                }
            }
            return summary
        }
    }
}
