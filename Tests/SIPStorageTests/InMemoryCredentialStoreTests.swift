import SIPCore
import SIPStorage
import Testing

/// Reference behaviour of the in-memory credential store; the shared behavioural suite in
/// SIPStorageSQLiteTests runs the same checks against both backends.
@Suite struct InMemoryCredentialStoreTests {
    @Test func addFetchRemove() async throws {
        let store = InMemoryCredentialStore()
        let now = SIPTimestamp(secondsSince1970: 5)
        let record = try await store.addUser(SIPUserCredential(user: "69", domain: "Example.net", password: "pw"), now: now)
        #expect(record == SIPUserRecord(user: "69", domain: "example.net", created: now))
        #expect(try await store.password(user: "69", domain: "EXAMPLE.NET") == "pw")
        await #expect(throws: StorageError.reservedUserName("~~x")) {
            try await store.addUser(SIPUserCredential(user: "~~x", domain: "example.net", password: "pw"), now: now)
        }
        try await store.removeUser(user: "69", domain: "example.net")
        #expect(try await store.password(user: "69", domain: "example.net") == nil)
    }
}
