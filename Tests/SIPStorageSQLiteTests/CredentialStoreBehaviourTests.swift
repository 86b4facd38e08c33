import SIPStorage
import Testing

/// The CredentialStore contract, written once and run against every backend.
@Suite struct CredentialStoreBehaviourTests {
    @Test(arguments: Backend.allCases)
    func addListFetchChangeRemove(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.credentials
        try await store.addUser(SIPUserCredential(user: "70", domain: "example.net", password: "pw70"), now: t0)
        try await store.addUser(SIPUserCredential(user: "69", domain: "EXAMPLE.NET", password: "pw69"), now: t0)
        try await store.addUser(SIPUserCredential(user: "69", domain: "other.org", password: "other"), now: t0)
        #expect(try await store.users(domain: "Example.net") == [
            SIPUserRecord(user: "69", domain: "example.net", created: t0), SIPUserRecord(user: "70", domain: "example.net", created: t0),
        ])
        #expect(try await store.users(domain: nil).map(\.domain) == ["example.net", "example.net", "other.org"])
        #expect(try await store.password(user: "69", domain: "example.net") == "pw69")
        #expect(try await store.password(user: "69", domain: "other.org") == "other")
        #expect(try await store.password(user: "71", domain: "example.net") == nil)

        try await store.setPassword(user: "69", domain: "example.net", password: "new pw")
        #expect(try await store.password(user: "69", domain: "example.net") == "new pw")

        try await store.removeUser(user: "70", domain: "example.net")
        #expect(try await store.password(user: "70", domain: "example.net") == nil)
        #expect(try await store.users(domain: "example.net").map(\.user) == ["69"])
    }

    @Test(arguments: Backend.allCases)
    func typedErrors(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.credentials
        try await store.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "pw"), now: t0)
        await #expect(throws: StorageError.userExists(user: "69", domain: "example.net")) {
            try await store.addUser(SIPUserCredential(user: "69", domain: "Example.Net", password: "x"), now: t0)
        }
        await #expect(throws: StorageError.reservedUserName("~~in~0000DEADBEEF")) {
            try await store.addUser(SIPUserCredential(user: "~~in~0000DEADBEEF", domain: "example.net", password: "x"), now: t0)
        }
        await #expect(throws: StorageError.userNotFound(user: "70", domain: "example.net")) {
            try await store.setPassword(user: "70", domain: "example.net", password: "x")
        }
        await #expect(throws: StorageError.userNotFound(user: "70", domain: "example.net")) {
            try await store.removeUser(user: "70", domain: "example.net")
        }
        await #expect(throws: StorageError.invalidPassword(reason: "empty")) {
            try await store.setPassword(user: "69", domain: "example.net", password: "")
        }
        #expect(try await store.password(user: "69", domain: "example.net") == "pw")
    }

    @Test(arguments: Backend.allCases)
    func userNamesAreCaseSensitive(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        try await stores.credentials.addUser(SIPUserCredential(user: "alice", domain: "example.net", password: "a"), now: t0)
        try await stores.credentials.addUser(SIPUserCredential(user: "Alice", domain: "example.net", password: "b"), now: t0)
        #expect(try await stores.credentials.password(user: "Alice", domain: "example.net") == "b")
        #expect(try await stores.credentials.password(user: "alice", domain: "example.net") == "a")
    }

    @Test(arguments: Backend.allCases)
    func importAddsAndUpdates(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        try await stores.credentials.addUser(SIPUserCredential(user: "1000", domain: "example.net", password: "old"), now: t0)
        let entries = try UserImport.parse("SEQUENTIAL\n1000;example.net;pw1000\n1001;example.net;pw1001\n1002;example.net;pw1002\n")
        let summary = try await stores.credentials.importUsers(entries, now: t0)
        #expect(summary == UserImportSummary(added: 2, updated: 1))
        #expect(try await stores.credentials.password(user: "1000", domain: "example.net") == "pw1000")
        #expect(try await stores.credentials.password(user: "1002", domain: "example.net") == "pw1002")
        #expect(try await stores.credentials.users(domain: "example.net").count == 3)
    }

    @Test(arguments: Backend.allCases)
    func importIsAllOrNothing(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        try await stores.credentials.addUser(SIPUserCredential(user: "1", domain: "example.net", password: "keep"), now: t0)
        // Entries built directly (as an admin API would), the bad one in the middle.
        var entries = (1...500).map {
            UserImportEntry(line: $0 + 1, credential: SIPUserCredential(user: "\($0)", domain: "example.net", password: "new\($0)"))
        }
        entries[300].credential.user = "~~in~0000DEADBEEF"
        do {
            _ = try await stores.credentials.importUsers(entries, now: t0)
            Issue.record("import should have been rejected")
        } catch {
            guard case .importRejected(let importError) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(importError.line == 302)
            #expect(importError.reason.contains("'~~in~0000DEADBEEF' is reserved"))
        }
        #expect(try await stores.credentials.users(domain: nil).map(\.user) == ["1"])
        #expect(try await stores.credentials.password(user: "1", domain: "example.net") == "keep")
    }
}
