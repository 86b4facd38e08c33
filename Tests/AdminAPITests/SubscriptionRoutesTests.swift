import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import SIPCore
import SIPStorage
import SIPTestSupport
import Testing

@Suite("Admin API: GET /v1/subscriptions")
struct SubscriptionRoutesTests {
    static func subscription(
        resource: String, subscriber: String, callID: String, expiresIn: Int64 = 3600, localCSeq: UInt32 = 3
    ) -> StoredSubscription {
        StoredSubscription(
            callID: callID, localTag: "local-\(callID)", remoteTag: "remote", eventID: "", package: "http-monitor",
            resource: resource, localURI: "sips:~~cf~\(resource)@example.net", remoteURI: "sip:69@example.net",
            remoteTarget: "sips:69@192.0.2.10:5061", routeSet: [], localCSeq: localCSeq, remoteCSeq: 2,
            expiresAt: AdminFixture.start.adding(.seconds(expiresIn)), transport: "tls", remoteAddress: "192.0.2.10:40000",
            localAddress: "192.0.2.1:5061", subscriber: subscriber, wantsBody: false, lastState: "\"etag\"")
    }

    static let held = [
        subscription(resource: "0000DEADBEEF", subscriber: "69/0000DEADBEEF", callID: "a@phone", localCSeq: 4),
        subscription(resource: "0000DEADBEE1", subscriber: "70", callID: "b@phone"),
        subscription(resource: "not-a-mac", subscriber: "71/0000DEADBEEF", callID: "c@phone"),
    ]

    func fixture() -> AdminFixture {
        var fixture = AdminFixture()
        fixture.operations = AdminOperations(subscriptions: { Self.held })
        return fixture
    }

    @Test("Every subscription with its package, resource, subscriber, expiry, flow, Call-ID and CSeq")
    func all() async throws {
        let fixture = fixture()
        let clock = fixture.clock
        try await fixture.test { client in
            clock.advance(by: .seconds(600))
            try await client.execute(uri: "/v1/subscriptions", method: .get) { response in
                #expect(response.status == .ok)
                let list = try response.decode([AdminSubscription].self)
                #expect(list.map(\.callId) == ["a@phone", "b@phone", "c@phone"])
                let first = try #require(list.first)
                #expect(first.package == "http-monitor")
                #expect(first.resource == "0000DEADBEEF")
                #expect(first.instrument == "0000DEADBEEF")
                #expect(first.subscriber == "69/0000DEADBEEF")
                #expect(first.expires == 3000, "an hour from the start, read 10 minutes later")
                #expect(first.expiresAt == "2023-11-14T23:13:20.000Z")
                #expect(first.transport == "tls")
                #expect(first.remoteAddress == "192.0.2.10:40000")
                #expect(first.localCSeq == 4)
                #expect(list[1].instrument == "0000DEADBEE1", "the watched MAC, though the subscriber named none")
                #expect(list[2].instrument == "0000DEADBEEF", "no MAC resource: the subscriber's user/MAC")
                #expect(response.text.contains("\"instrument\""))
            }
        }
    }

    @Test("instrument= takes a MAC in any spelling", arguments: ["0000deadbeef", "00:00:DE:AD:BE:EF", "00-00-de-ad-be-ef"])
    func byInstrument(_ mac: String) async throws {
        try await fixture().test { client in
            try await client.execute(uri: "/v1/subscriptions?instrument=\(mac)", method: .get) { response in
                #expect(response.status == .ok)
                let list = try response.decode([AdminSubscription].self)
                #expect(list.map(\.callId) == ["a@phone", "c@phone"])
            }
            try await client.execute(uri: "/v1/subscriptions?instrument=0000CAFEBABE", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "[]")
            }
        }
    }

    @Test("A malformed or empty instrument is 400", arguments: [
        ("zz:zz:zz", "not a MAC address"), ("0000DEADBEE", "11 hex digits"), ("", "instrument: empty value"),
    ])
    func badInstrument(_ mac: String, _ expected: String) async throws {
        try await fixture().test { client in
            try await client.execute(uri: "/v1/subscriptions?instrument=\(mac)", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains(expected) == true, "\(response.errorMessage ?? "")")
            }
        }
    }

    @Test("A server without a notifier lists none")
    func none() async throws {
        try await AdminFixture().test { client in
            try await client.execute(uri: "/v1/subscriptions", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "[]")
            }
        }
    }
}
