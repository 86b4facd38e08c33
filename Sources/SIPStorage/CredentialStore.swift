public import SIPCore

/// Users and their passwords, per domain.
///
/// The registrar needs the password itself, not a fixed HA1, because digest A1 is computed over
/// the full auth username including the instrument (`69/0000DEADBEEF:realm:password`,
/// RFC 7616 §3.4.2). Persistent backends therefore keep passwords encrypted at rest
/// (``PasswordCipher``) and never write them in plain text anywhere, logs included.
///
/// Every method validates its input with ``SIPUserCredential/validate()``: user names starting
/// with `~~` are refused with ``StorageError/reservedUserName(_:)``. Domains are compared
/// case-insensitively (stored lower-case); user names case-sensitively.
///
/// Backends: ``InMemoryCredentialStore`` (tests, reference), `SQLiteStore` (SIPStorageSQLite).
public protocol CredentialStore: Sendable {
    /// Creates a user; ``StorageError/userExists(user:domain:)`` if it exists.
    @discardableResult
    func addUser(_ credential: SIPUserCredential, now: SIPTimestamp) async throws(StorageError) -> SIPUserRecord

    /// Replaces the password of an existing user; ``StorageError/userNotFound(user:domain:)`` if none.
    func setPassword(user: String, domain: String, password: String) async throws(StorageError)

    /// Removes a user; ``StorageError/userNotFound(user:domain:)`` if none.
    func removeUser(user: String, domain: String) async throws(StorageError)

    /// The users of `domain` (all domains when nil), ordered by domain, then user.
    func users(domain: String?) async throws(StorageError) -> [SIPUserRecord]

    /// The password of (user, domain), decrypted; nil when the user does not exist.
    func password(user: String, domain: String) async throws(StorageError) -> String?

    /// The password of (user, domain) from the store's in-memory credential cache, without
    /// waiting and without touching the database: what the registrar uses on the event loop.
    /// ``CachedPassword/notCached`` when this store keeps no cache (or the entry cannot be
    /// decrypted): the caller then falls back to ``password(user:domain:)``. The default
    /// implementation keeps no cache.
    func cachedPassword(user: String, domain: String) -> CachedPassword

    /// Adds or updates (new password) every entry in one transaction: either all are stored or,
    /// on the first invalid entry, none is and ``StorageError/importRejected(_:)`` names its line.
    func importUsers(_ entries: [UserImportEntry], now: SIPTimestamp) async throws(StorageError) -> UserImportSummary
}

extension CredentialStore {
    public func cachedPassword(user: String, domain: String) -> CachedPassword { .notCached }
}

/// The answer of ``CredentialStore/cachedPassword(user:domain:)``.
public enum CachedPassword: Sendable, Hashable {
    /// The user exists; its password, decrypted.
    case password(String)
    /// The cache holds every user and this one is not among them.
    case unknownUser
    /// The cache cannot answer: ask the store.
    case notCached
}

/// What a successful import did.
public struct UserImportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Users that did not exist before.
    public var added: Int
    /// Existing users whose password was replaced.
    public var updated: Int

    public init(added: Int, updated: Int) {
        self.added = added
        self.updated = updated
    }

    public var description: String { "\(added) added, \(updated) updated" }
}

/// A (user, domain) pair as a dictionary key; `domain` lower-case.
public struct UserKey: Sendable, Hashable {
    public var user: String
    public var domain: String

    public init(user: String, domain: String) {
        self.user = user
        self.domain = SIPUserCredential.canonicalDomain(domain)
    }
}
