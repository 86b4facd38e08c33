import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import SIPCore
import SIPStorage
import SIPTestSupport
import Testing

@Suite("Admin API: instruments")
struct InstrumentRoutesTests {
    func fixtureWithUsers(_ users: [String] = ["69", "70", "71"]) async throws -> AdminFixture {
        let fixture = AdminFixture()
        for user in users {
            try await fixture.credentials.addUser(SIPUserCredential(user: user, domain: "example.net", password: "pw\(user)"), now: AdminFixture.start)
        }
        return fixture
    }

    @Test func addShowListAndRemove() async throws {
        let fixture = try await fixtureWithUsers()
        try await fixture.test { client in
            let body = #"{"mac":"00:00:de:ad:be:ef","vendor":"Yealink","model":"T54W","lines":[{"user":"69"},{"user":"70","displayName":"Reception"}]}"#
            let added = try await client.execute(uri: "/v1/instruments", method: .post, body: json(body)) { response throws in
                #expect(response.status == .created)
                return try response.decode(AdminInstrument.self)
            }
            #expect(added.mac == "0000DEADBEEF")
            #expect(added.vendor == "yealink")
            #expect(added.configurationVersion == 1)
            #expect(added.lines.map(\.authUser) == ["69/0000DEADBEEF", "70/0000DEADBEEF"])
            #expect(added.lines.map(\.aor) == ["sip:69@example.net", "sip:70@example.net"])
            #expect(added.lines.last?.displayName == "Reception")
            #expect(added.created == "2023-11-14T22:13:20.000Z")

            try await client.execute(uri: "/v1/instruments/0000deadbeef", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(try response.decode(AdminInstrument.self) == added)
            }
            try await client.execute(uri: "/v1/instruments", method: .get) { response throws in
                #expect(try response.decode([AdminInstrument].self) == [added])
            }
            try await client.execute(uri: "/v1/instruments/0000-dead-beef", method: .delete) { response throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/instruments/0000deadbeef", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "instrument 0000DEADBEEF is not provisioned")
            }
        }
        #expect(fixture.logs.text.contains("admin.instrument.added"))
        #expect(fixture.logs.text.contains("admin.instrument.removed"))
    }

    @Test func linesAddedAndRemovedBumpTheVersion() async throws {
        let fixture = try await fixtureWithUsers()
        try await fixture.test { client in
            _ = try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"0000deadbeef","vendor":"snom","lines":[{"user":"69"}]}"#)) { _ in }
            let added = try await client.execute(
                uri: "/v1/instruments/0000DEADBEEF/lines", method: .post, body: json(#"{"user":"71","index":4}"#)
            ) { response throws in
                #expect(response.status == .created)
                return try response.decode(AdminInstrument.self)
            }
            #expect(added.configurationVersion == 2)
            #expect(added.lines.map(\.index) == [1, 4])
            try await client.execute(uri: "/v1/instruments/0000DEADBEEF/lines", method: .post, body: json(#"{"user":"70","index":4}"#)) { response throws in
                #expect(response.status == .conflict)
            }
            let removed = try await client.execute(uri: "/v1/instruments/0000DEADBEEF/lines/1", method: .delete) { response throws in
                #expect(response.status == .ok)
                return try response.decode(AdminInstrument.self)
            }
            #expect(removed.configurationVersion == 3)
            #expect(removed.lines.map(\.authUser) == ["71/0000DEADBEEF"])
            try await client.execute(uri: "/v1/instruments/0000DEADBEEF/lines/1", method: .delete) { response throws in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func refusals() async throws {
        let fixture = try await fixtureWithUsers(["69"])
        try await fixture.test { client in
            // A line whose user does not exist: its phone could never authenticate.
            try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"0000deadbeef","vendor":"yealink","lines":[{"user":"70"}]}"#)) { response throws in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "user 70@example.net does not exist")
            }
            try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"bria-7","vendor":"yealink"}"#)) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.hasPrefix("invalid MAC address 'bria-7'") == true)
            }
            try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"0000deadbeef","vendor":"yea link"}"#)) { response throws in
                #expect(response.status == .badRequest)
            }
            _ = try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"0000deadbeef","vendor":"yealink"}"#)) { _ in }
            try await client.execute(uri: "/v1/instruments", method: .post, body: json(#"{"mac":"0000DEADBEEF","vendor":"yealink"}"#)) { response throws in
                #expect(response.status == .conflict)
                #expect(response.errorMessage == "instrument 0000DEADBEEF is already provisioned")
            }
            try await client.execute(uri: "/v1/instruments/xyz/lines/1", method: .delete) { response throws in
                #expect(response.status == .badRequest)
            }
        }
        #expect(try await fixture.provisioning.instruments().map(\.id.value) == ["0000DEADBEEF"])
    }
}
