public import Logging
public import SIPStorage
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default backend: users, credentials, bindings and provisioned instruments in one
/// SQLite file in the data dir, through GRDB's `DatabasePool` (WAL journal: readers never block the single writer).
///
/// Files in the data dir (created with mode 0700 if missing):
/// - `switchboard.sqlite` (+ `-wal`, `-shm`): the database, migrated on open (``migrator``);
/// - `credentials.key`: the AES-256-GCM key of the stored passwords (``CredentialKeyFile``:
///   created 0600 on first start; a key file open to group/others stops the start).
///
/// Durability: `PRAGMA synchronous = FULL` by default, so a transaction that returned is on disk
/// (survives power loss as well as `kill -9`). ``Configuration/synchronous`` = `.normal` keeps
/// crash safety but may lose the last commits on power loss. Binding writes from many
/// registrations are grouped into one transaction by ``BindingWriter``, which is what makes
/// FULL affordable.
public final class SQLiteStore: CredentialStore, LocationStore, ProvisioningStore, Sendable {
    /// Where and how to open the store.
    public struct Configuration: Sendable {
        /// SQLite's `synchronous` setting in WAL mode.
        public enum Synchronous: String, Sendable {
            /// fsync at every commit: durable on power loss (default).
            case full = "FULL"
            /// fsync at checkpoints only: durable on process crash, not on power loss.
            case normal = "NORMAL"
        }

        /// The data dir; created (mode 0700) when missing.
        public var dataDirectory: String
        /// Database file name inside the data dir (default `switchboard.sqlite`).
        public var databaseFileName: String
        /// Key file name inside the data dir (default `credentials.key`).
        public var keyFileName: String
        /// Default `.full`.
        public var synchronous: Synchronous
        /// Concurrent readers of the pool (default 4).
        public var maximumReaderCount: Int
        /// How long a connection waits for a lock held by another process (default 5 s).
        public var busyTimeoutSeconds: Double
        /// Keep the encrypted password of every user in memory, so a digest check costs one
        /// dictionary lookup and one AES-GCM open instead of a database read (default true).
        /// Plain text is never cached. Only valid while this process is the only writer of the
        /// user table (the CLI goes through the server's admin API, so it is).
        public var cachesCredentials: Bool

        public init(
            dataDirectory: String, databaseFileName: String = "switchboard.sqlite",
            keyFileName: String = CredentialKeyFile.defaultFileName, synchronous: Synchronous = .full,
            maximumReaderCount: Int = 4, busyTimeoutSeconds: Double = 5, cachesCredentials: Bool = true
        ) {
            self.dataDirectory = dataDirectory
            self.databaseFileName = databaseFileName
            self.keyFileName = keyFileName
            self.synchronous = synchronous
            self.maximumReaderCount = max(1, maximumReaderCount)
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.cachesCredentials = cachesCredentials
        }

        public var databasePath: String { dataDirectory + "/" + databaseFileName }
        public var keyFilePath: String { dataDirectory + "/" + keyFileName }
    }

    public let configuration: Configuration
    public let changes: BindingChangeFeed
    public let provisioningChanges: ProvisioningChangeFeed
    /// The committed line appearances, mirrored after every provisioning commit.
    public let provisionedLines: ProvisionedLineIndex
    let pool: DatabasePool
    let cipher: PasswordCipher
    let logger: Logger
    /// Sealed passwords by (user, domain), when ``Configuration/cachesCredentials``.
    let credentialCache: CredentialCache?

    /// Opens (creating if needed) the store and applies pending migrations.
    public init(
        configuration: Configuration, changes: BindingChangeFeed = BindingChangeFeed(),
        provisioningChanges: ProvisioningChangeFeed = ProvisioningChangeFeed(),
        logger: Logger = Logger(label: "switchboard.storage.sqlite")
    ) throws(StorageError) {
        self.configuration = configuration
        self.changes = changes
        self.provisioningChanges = provisioningChanges
        self.logger = logger
        try Self.makeDirectory(configuration.dataDirectory)
        let keyExisted = try CredentialKeyFile.load(path: configuration.keyFilePath) != nil
        cipher = PasswordCipher(key: try CredentialKeyFile.loadOrCreate(path: configuration.keyFilePath))
        if !keyExisted {
            logger.notice(
                "created credential key file; back it up with the database",
                metadata: ["path": "\(configuration.keyFilePath)"])
        }

        var grdb = GRDB.Configuration()
        grdb.maximumReaderCount = configuration.maximumReaderCount
        grdb.busyMode = .timeout(configuration.busyTimeoutSeconds)
        grdb.label = "switchboard"
        let synchronous = configuration.synchronous.rawValue
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: configuration.databasePath, configuration: grdb)
            // GRDB switches the writer to WAL and then sets `synchronous = NORMAL` on it
            // (Database.setUpWALMode), after prepareDatabase ran: set it again on the writer,
            // the connection every commit goes through (checked by writerDurability()).
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            let before = try pool.read { try Self.migrator.appliedIdentifiers($0) }
            try Self.migrator.migrate(pool)
            let after = try pool.read { try Self.migrator.appliedIdentifiers($0) }
            let applied = after.subtracting(before).sorted()
            logger.info(
                "opened SQLite store",
                metadata: [
                    "path": "\(configuration.databasePath)", "synchronous": "\(synchronous)",
                    "migrations_applied": "\(applied.joined(separator: ","))",
                ])
        } catch {
            throw .backend("cannot open \(configuration.databasePath): \(error)")
        }

        let opened = pool
        provisionedLines = ProvisionedLineIndex(try Self.run { try opened.read(Self.fetchInstruments) })

        if configuration.cachesCredentials {
            let all = try Self.run { try opened.read(Self.fetchAllSealedPasswords) }
            credentialCache = CredentialCache(all)
        } else {
            credentialCache = nil
        }
    }

    /// Checkpoints the WAL into the main file (TRUNCATE), closes the database and ends the
    /// change-feed subscriptions. GRDB closes the writer before the read-only readers, so without
    /// the explicit checkpoint the last commits would stay in the `-wal` file (still durable, but
    /// replayed at the next open).
    public func close() throws(StorageError) {
        changes.finish()
        provisioningChanges.finish()
        try Self.run {
            try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try pool.close()
        }
    }

    /// Runs `body`, mapping every error that is not already a ``StorageError`` to
    /// ``StorageError/backend(_:)``. GRDB's error texts carry SQL but not statement arguments
    /// (`publicStatementArguments` stays off), so no secret reaches a message.
    static func run<T>(_ body: () throws -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch let error as StorageError {
            throw error
        } catch {
            throw .backend("\(error)")
        }
    }

    static func run<T>(_ body: () async throws -> T) async throws(StorageError) -> T {
        do {
            return try await body()
        } catch let error as StorageError {
            throw error
        } catch {
            throw .backend("\(error)")
        }
    }

    private static func makeDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw .backend("cannot create data dir \(path): \(String(cString: strerror(errno)))")
        }
    }
}
