import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SIPCore
import SIPStorage
import SIPTestSupport

/// In-memory stores, a manual clock and the admin routes over them.
struct AdminFixture {
    static let start = SIPTimestamp(secondsSince1970: 1_700_000_000)

    let credentials = InMemoryCredentialStore()
    let locations = InMemoryLocationStore()
    let provisioning = InMemoryProvisioningStore()
    let clock = ManualClock(start: AdminFixture.start)
    let logs = LogCapture(label: "admin-test")
    var domains = ["example.net", "other.example"]
    var limits = AdminAPILimits()
    var operations = AdminOperations()

    var routes: AdminRoutes {
        AdminRoutes(
            credentials: credentials, locations: locations, provisioning: provisioning, domains: domains, limits: limits, clock: clock,
            operations: operations, logger: logs.logger)
    }

    /// Runs `body` against the router (no sockets).
    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = Application(router: routes.makeRouter(), logger: logs.logger)
        return try await app.test(.router, body)
    }

    /// A binding registered at the fixture's start time, expiring `expiresIn` seconds later.
    func binding(
        user: String, domain: String = "example.net", contact: String, instrument: String? = nil, expiresIn: Int64 = 3600,
        instance: String? = nil, regID: Int? = nil, userAgent: String? = "TestPhone/1.0", transport: String = "udp"
    ) -> Binding {
        makeBinding(
            user: user, domain: domain, contact: contact, expiresIn: expiresIn, q: 500,
            callID: "call-\(user)-\(contact)", cseq: 7, instrument: instrument, instance: instance, regID: regID,
            at: Self.start, source: "192.0.2.10:5060", transport: transport,
            connectionID: transport == "udp" ? nil : 42, userAgent: userAgent)
    }

    func store(_ bindings: [Binding]) async throws {
        _ = try await locations.apply(bindings.map { .upsert($0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    /// The `error` member of an error body.
    var errorMessage: String? { (try? decode(AdminErrorBody.self))?.error }
}

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
