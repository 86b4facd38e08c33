import SIPStorageSQLite
import SwitchboardServer
import Testing

/// The server answers 200 to a REGISTER only after the binding's commit, and that promise is
/// only as strong as the store's `synchronous` setting: it must be FULL (fsync at every commit)
/// on the writer connection of the store the server actually opens.
@Suite("Server store durability", .timeLimit(.minutes(1)))
struct ServerStoreDurabilityTests {
    @Test("The running server's SQLite writer uses synchronous = FULL (2) and the WAL journal")
    func serverStoreIsFullySynchronous() async throws {
        try await RunningServer.with { server in
            let durability = try server.application.store.writerDurability()
            #expect(durability.synchronous == 2, "2 is FULL; 1 (NORMAL) may lose acknowledged bindings on power loss")
            #expect(durability.journalMode == "wal")
        }
    }
}
