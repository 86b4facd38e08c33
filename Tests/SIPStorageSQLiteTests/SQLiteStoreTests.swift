import Foundation
import GRDB
import SIPCore
import SIPStorage
import SIPTestSupport
import SIPStorageSQLite
import Testing

/// What only the SQLite backend has: files, migrations, encryption at rest, durability.
@Suite struct SQLiteStoreTests {
    @Test func migratesAnEmptyDataDirAndCreatesTheIndices() throws {
        let directory = try makeTemporaryDirectory() + "/nested-data"
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        try store.close()
        let queue = try DatabaseQueue(path: directory + "/switchboard.sqlite")
        try queue.read { db in
            #expect(try SQLiteStore.migrator.hasCompletedMigrations(db))
            #expect(try db.tableExists("sip_user") && db.tableExists("binding"))
            let indices = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'binding' AND sql IS NOT NULL")
            #expect(Set(indices) == ["binding_aor", "binding_instrument", "binding_instance", "binding_expires"])
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
        try queue.close()
        // Reopening applies nothing and keeps working.
        let again = try SQLiteStore(configuration: .init(dataDirectory: directory))
        try again.close()
    }

    @Test func keyFileIsCreatedWithMode0600() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        try store.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/credentials.key")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(attributes[.size] as? Int == 32)
    }

    @Test func startIsRefusedWhenTheKeyFileIsOpenToOthers() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SQLiteStore(configuration: .init(dataDirectory: directory)).close()
        let keyPath = directory + "/credentials.key"
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keyPath)
        #expect(throws: StorageError.insecureKeyFile(path: keyPath, mode: 0o640)) {
            try SQLiteStore(configuration: .init(dataDirectory: directory))
        }
    }

    @Test func passwordsAreNotInTheDatabaseFiles() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secrets = ["Plaintext-Secret-69", "Plaintext-Secret-70", "Imported-Secret-1000"]
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        try await store.addUser(SIPUserCredential(user: "69", domain: "example.net", password: secrets[0]), now: t0)
        try await store.addUser(SIPUserCredential(user: "70", domain: "example.net", password: "temporary"), now: t0)
        try await store.setPassword(user: "70", domain: "example.net", password: secrets[1])
        _ = try await store.importUsers(try UserImport.parse("1000;example.net;\(secrets[2])\n"), now: t0)
        // Look at the files both before (WAL holds the pages) and after a checkpoint on close.
        for phase in ["open", "closed"] {
            if phase == "closed" { try store.close() }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("switchboard.sqlite") }
            #expect(!files.isEmpty)
            var bytesSeen = 0
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
                bytesSeen += data.count
                for secret in secrets {
                    #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file) (\(phase))")
                }
                // The user names are there, so the search itself can succeed.
                if file == "switchboard.sqlite", phase == "closed" {
                    #expect(data.range(of: Data("example.net".utf8)) != nil, "files: \(files) size \(data.count)")
                }
            }
            #expect(bytesSeen > 0)
        }
        let reopened = try SQLiteStore(configuration: .init(dataDirectory: directory))
        #expect(try await reopened.password(user: "69", domain: "example.net") == secrets[0])
        #expect(try await reopened.password(user: "70", domain: "example.net") == secrets[1])
        #expect(try await reopened.password(user: "1000", domain: "example.net") == secrets[2])
        try reopened.close()
    }

    @Test func anotherKeyCannotDecrypt() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        try await store.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "pw"), now: t0)
        try store.close()
        try FileManager.default.removeItem(atPath: directory + "/credentials.key")
        let rekeyed = try SQLiteStore(configuration: .init(dataDirectory: directory))
        await #expect(throws: StorageError.undecryptableCredential(user: "69", domain: "example.net")) {
            try await rekeyed.password(user: "69", domain: "example.net")
        }
        try rekeyed.close()
    }

    @Test(arguments: [true, false])
    func bindingsAndUsersSurviveCloseAndReopen(cachesCredentials: Bool) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = SQLiteStore.Configuration(dataDirectory: directory, cachesCredentials: cachesCredentials)
        let store = try SQLiteStore(configuration: configuration)
        let writer = BindingWriter(store: store)
        let bindings = (0..<50).map { makeBinding(user: "\(1000 + $0)", index: $0, expiresAt: $0 < 40 ? 100_000 : 500) }
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            try await withThrowingTaskGroup { registrars in
                for binding in bindings {
                    registrars.addTask { _ = try await writer.submit([.upsert(binding)]) }
                }
                try await registrars.waitForAll()
            }
            writer.close()
            try await group.waitForAll()
        }
        try await store.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "pw69"), now: t0)
        try store.close()

        let reopened = try SQLiteStore(configuration: configuration)
        let restored = try await reopened.unexpiredBindings(at: t0)
        #expect(restored == Array(bindings.prefix(40)).sorted(by: Binding.storageOrder))
        #expect(try await reopened.purgeExpired(at: t0).count == 10)
        #expect(try await reopened.password(user: "69", domain: "example.net") == "pw69")
        try reopened.close()
        let again = try SQLiteStore(configuration: configuration)
        #expect(try await again.purgeExpired(at: t0).isEmpty)
        #expect(try await again.unexpiredBindings(at: SIPTimestamp(secondsSince1970: 0)).count == 40)
        try again.close()
    }

    @Test func largeImportIsAllOrNothingInOneTransaction() async throws {
        let stores = try Backend.sqlite.make()
        defer { stores.cleanup() }
        let store = try #require(stores.sqlite)
        var lines = ["SEQUENTIAL"]
        for user in 0..<20_000 { lines.append("\(10_000 + user);example.net;pw\(user);[authentication username=\(user)]") }
        let good = try UserImport.parse(lines.joined(separator: "\n"))
        // A bad row near the end, not caught by the parser (built directly): the whole import fails.
        var bad = good
        bad[19_000].credential.domain = "bad domain"
        await #expect(throws: StorageError.importRejected(UserImportError(line: 19_002, reason: "invalid domain 'bad domain'"))) {
            try await store.importUsers(bad, now: t0)
        }
        #expect(try await store.users(domain: nil).isEmpty)
        let summary = try await store.importUsers(good, now: t0)
        #expect(summary == UserImportSummary(added: 20_000, updated: 0))
        #expect(try await store.users(domain: "example.net").count == 20_000)
        #expect(try await store.password(user: "29999", domain: "example.net") == "pw19999")
    }

    @Test func changeFeedEndsWhenTheStoreCloses() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        let subscription = store.changes.subscribe()
        _ = try await store.apply([.upsert(makeBinding())])
        try store.close()
        var kinds: [BindingChange.Kind] = []
        for try await change in subscription { kinds.append(change.kind) }
        #expect(kinds == [.added])
    }
}
