import Foundation
import SIPStorage
import SIPStorageSQLite
import Testing

/// The store's durability promise (``SQLiteStore``: a commit that returned is on disk) rests on
/// `synchronous = FULL` in WAL mode. A kill -9 test cannot tell FULL from NORMAL (both survive a
/// process crash; only power loss tells them apart), so these read the settings back from the
/// writer connection, the one every commit goes through.
@Suite struct SQLiteDurabilityTests {
    @Test("Default: the writer runs with synchronous = FULL (2) in WAL mode")
    func writerIsFullySynchronousByDefault() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        defer { try? store.close() }
        let durability = try store.writerDurability()
        #expect(durability.synchronous == 2, "PRAGMA synchronous on the writer: 2 is FULL, 1 NORMAL")
        #expect(durability.journalMode == "wal")
    }

    @Test("Configuration.synchronous reaches the writer connection (NORMAL reads back as 1)")
    func configuredSynchronousIsApplied() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory, synchronous: .normal))
        defer { try? store.close() }
        #expect(try store.writerDurability() == .init(synchronous: 1, journalMode: "wal"))
    }
}
