import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import SIPStorage
import SIPTestSupport
import Testing

@Suite("Admin API: registrations")
struct RegistrationRouteTests {
    /// Two lines of one phone, a soft phone of 69 and an expired binding.
    func seeded() async throws -> AdminFixture {
        let fixture = AdminFixture()
        try await fixture.store([
            fixture.binding(user: "69", contact: "sip:69@192.0.2.10:5060", instrument: "0000DEADBEEF", expiresIn: 3600),
            fixture.binding(user: "70", contact: "sip:70@192.0.2.10:5060", instrument: "0000DEADBEEF", expiresIn: 1800),
            fixture.binding(
                user: "69", contact: "sip:69@198.51.100.4:5062;transport=tcp", instrument: "softphone-1", expiresIn: 600,
                instance: "<urn:uuid:00000000-0000-1000-8000-0000CAFEBABE>", regID: 1, userAgent: nil, transport: "tcp"),
            fixture.binding(user: "71", contact: "sip:71@192.0.2.11", instrument: "001122334455", expiresIn: 0),
        ])
        return fixture
    }

    func registrations(_ client: any TestClientProtocol, _ query: String) async throws -> [AdminRegistration] {
        try await client.execute(uri: "/v1/registrations" + query, method: .get) { response throws in
            #expect(response.status == .ok)
            return try response.decode([AdminRegistration].self)
        }
    }

    @Test func listsEveryUnexpiredBindingWithAllContractFields() async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            let all = try await registrations(client, "")
            #expect(all.map(\.aor) == ["sip:69@example.net", "sip:69@example.net", "sip:70@example.net"])
            let first = try #require(all.first { $0.transport == "udp" && $0.aor == "sip:69@example.net" })
            #expect(first.contact == "sip:69@192.0.2.10:5060")
            #expect(first.expires == 3600)
            #expect(first.instrument == "0000DEADBEEF")
            #expect(first.instance == nil)
            #expect(first.regId == nil)
            #expect(first.source == "192.0.2.10:5060")
            #expect(first.userAgent == "TestPhone/1.0")
            #expect(first.q == 0.5)
            #expect(first.callId == "call-69-sip:69@192.0.2.10:5060")
            #expect(first.cseq == 7)
            #expect(first.path == ["<sip:edge.example.net;lr>"])
            #expect(first.connectionId == nil)
            #expect(first.localListener == "0.0.0.0:5060")
            #expect(first.registeredAt == "2023-11-14T22:13:20.000Z")
            #expect(first.expiresAt == "2023-11-14T23:13:20.000Z")
            let tcp = try #require(all.first { $0.transport == "tcp" })
            #expect(tcp.instance == "<urn:uuid:00000000-0000-1000-8000-0000CAFEBABE>")
            #expect(tcp.regId == 1)
            #expect(tcp.connectionId == 42)
            #expect(tcp.instrument == "softphone-1")
        }
    }

    @Test func absentValuesAreExplicitNulls() async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/registrations?aor=sip:70@example.net", method: .get) { response throws in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]])
                let keys = Set(try #require(object.first).keys)
                let contract: Set = ["aor", "contact", "expires", "instrument", "instance", "regId", "transport", "source", "userAgent"]
                #expect(contract.isSubset(of: keys))
                #expect(response.text.contains(#""instance":null"#))
                #expect(response.text.contains(#""regId":null"#))
            }
        }
    }

    @Test(arguments: ["sip:69@example.net", "sip:69@EXAMPLE.NET", "69@example.net", "69", "sip%3A69%40example.net"])
    func filterByAORInAnySpelling(_ aor: String) async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            let found = try await registrations(client, "?aor=\(aor)")
            #expect(found.count == 2)
            #expect(found.allSatisfy { $0.aor == "sip:69@example.net" })
        }
    }

    @Test(arguments: ["0000DEADBEEF", "0000deadbeef", "00:00:de:ad:be:ef", "00-00-DE-AD-BE-EF", "0000.dead.beef", "00%3A00%3ADE%3AAD%3ABE%3AEF"])
    func filterByInstrumentInAnyMACSpelling(_ mac: String) async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            let found = try await registrations(client, "?instrument=\(mac)")
            #expect(found.map(\.aor) == ["sip:69@example.net", "sip:70@example.net"])
            #expect(found.allSatisfy { $0.instrument == "0000DEADBEEF" })
        }
    }

    @Test func filterByAORAndInstrumentTogether() async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            let found = try await registrations(client, "?aor=70&instrument=0000deadbeef")
            #expect(found.map(\.aor) == ["sip:70@example.net"])
            #expect(try await registrations(client, "?aor=69&instrument=softphone-1").map(\.transport) == ["tcp"])
            #expect(try await registrations(client, "?aor=71&instrument=0000deadbeef").isEmpty)
        }
    }

    @Test func expiresIsTheRemainderAtTheInjectedClock() async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            fixture.clock.advance(by: .seconds(1000))
            let found = try await registrations(client, "?instrument=0000DEADBEEF")
            #expect(found.map(\.expires) == [2600, 800])
            fixture.clock.advance(by: .seconds(800))  // 70's binding expires exactly now: gone
            #expect(try await registrations(client, "?instrument=0000DEADBEEF").map(\.expires) == [1800])
            fixture.clock.advance(by: .seconds(5000))
            #expect(try await registrations(client, "").isEmpty)
        }
    }

    @Test(arguments: [("?instrument=has%20space", "invalid instrument"), ("?aor=sip:", "invalid AOR")])
    func badFiltersAre400(_ query: String, _ expected: String) async throws {
        let fixture = try await seeded()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/registrations" + query, method: .get) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains(expected) == true, "\(response.text)")
            }
        }
    }
}
