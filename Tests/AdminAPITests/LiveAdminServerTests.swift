import AdminAPI
import Foundation
import Logging
import SIPStorage
import SIPTestSupport
import ServiceLifecycle
import Testing

/// The real listener on 127.0.0.1 with port 0, driven by the CLI's client (URLSession).
@Suite("Admin API: live server and client")
struct LiveAdminServerTests {
    /// Runs an admin server on an ephemeral loopback port for the duration of `body`.
    func withServer(
        _ fixture: AdminFixture, _ body: (AdminServer, AdminClient) async throws -> Void
    ) async throws {
        let server = AdminServer(address: try AdminListenAddress(parsing: "http://127.0.0.1:0"), routes: fixture.routes, logger: fixture.logs.logger)
        let group = ServiceGroup(services: [server.service], logger: fixture.logs.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.listeningPort()
            #expect(port > 0)
            #expect(server.boundPort == port)
            let client = try AdminClient(url: "http://127.0.0.1:\(port)", timeout: 10)
            do {
                try await body(server, client)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func clientDrivesEveryRouteOverHTTP() async throws {
        let fixture = AdminFixture()
        try await fixture.store([fixture.binding(user: "69", contact: "sip:69@192.0.2.10:5060", instrument: "0000DEADBEEF")])
        try await withServer(fixture) { _, client in
            #expect(try await client.health().domains == ["example.net", "other.example"])
            #expect(try await client.defaultDomain() == "example.net")

            let added = try await client.addUser(AdminNewUser(user: "69"))
            #expect(added.password?.count == 24)
            let chosen = try await client.addUser(AdminNewUser(user: "70", domain: "other.example", password: "pw"))
            #expect(chosen.password == nil)
            #expect(try await client.users(domain: nil).map(\.aor) == ["sip:69@example.net", "sip:70@other.example"])
            #expect(try await client.users(domain: "other.example").map(\.user) == ["70"])

            let changed = try await client.setPassword(user: "69", domain: "example.net", password: nil)
            #expect(try await fixture.credentials.password(user: "69", domain: "example.net") == changed.password)

            let imported = try await client.importUsers(file: Data("SEQUENTIAL\n80;example.net;a\n81;example.net;b\n".utf8))
            #expect(imported == AdminImportResult(imported: 2, added: 2, updated: 0))

            try await client.removeUser(user: "70", domain: "other.example")
            #expect(try await client.users(domain: "other.example").isEmpty)

            let registrations = try await client.registrations(aor: nil, instrument: "00:00:de:ad:be:ef")
            #expect(registrations.map(\.aor) == ["sip:69@example.net"])
            #expect(registrations.first?.expires == 3600)
        }
    }

    @Test func serverErrorsReachTheClientWithTheirMessage() async throws {
        let fixture = AdminFixture()
        try await withServer(fixture) { _, client in
            await #expect(throws: AdminClientError.server(status: 404, message: "user 69@example.net does not exist", line: nil)) {
                try await client.removeUser(user: "69", domain: "example.net")
            }
            await #expect(throws: AdminClientError.server(status: 400, message: "user name '~~in~x' is reserved: names starting with '~~' are refused", line: nil)) {
                _ = try await client.addUser(AdminNewUser(user: "~~in~x"))
            }
            do {
                _ = try await client.importUsers(file: Data("1;example.net;pw\nbroken line\n".utf8))
                Issue.record("import should have failed")
            } catch {
                guard case .server(400, let message, 2) = error as? AdminClientError else { throw error }
                #expect(message.contains("line 2"))
            }
        }
    }

    @Test func unreachableServerIsAClearError() async throws {
        let fixture = AdminFixture()
        var port = 0
        try await withServer(fixture) { server, _ in port = try #require(server.boundPort) }
        // The listener is closed now: nothing answers on that port.
        let client = try AdminClient(url: "http://127.0.0.1:\(port)", timeout: 5)
        do {
            _ = try await client.health()
            Issue.record("health should have failed")
        } catch {
            guard let error = error as? AdminClientError, case .unreachable(let url, _) = error else { throw error }
            #expect(url == "http://127.0.0.1:\(port)")
            #expect(error.description.contains("cannot reach the switchboard admin API"))
        }
    }

    @Test func aPortInUseFailsTheServiceAndTheWaiter() async throws {
        let fixture = AdminFixture()
        try await withServer(fixture) { first, _ in
            let taken = try #require(first.boundPort)
            let second = try AdminServer(
                listen: "http://127.0.0.1:\(taken)", credentials: fixture.credentials, locations: fixture.locations, provisioning: fixture.provisioning,
                domains: ["example.net"], logger: fixture.logs.logger)
            let service = second.service
            await #expect(throws: (any Error).self) { try await service.run() }
            await #expect(throws: (any Error).self) { _ = try await second.listeningPort() }
        }
    }

    @Test func constructorRefusesNonHTTPListenURLs() {
        let fixture = AdminFixture()
        #expect(throws: AdminAPIError.self) {
            try AdminServer(
                listen: "https://127.0.0.1:8443", credentials: fixture.credentials, locations: fixture.locations, provisioning: fixture.provisioning, domains: [],
                logger: fixture.logs.logger)
        }
    }
}
