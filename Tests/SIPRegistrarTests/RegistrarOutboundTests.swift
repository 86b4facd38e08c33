import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import SIPTransport
import Testing

/// RFC 5626 outbound registrations (§6: key (AOR, instance, reg-id), a new flow replaces the
/// old one, `Require: outbound` in the 200) and instruments taken from a version-1 UUID
/// `+sip.instance` (§4.1; draft-worley-instrument-identification).
@Suite("Registrar: outbound and instance")
struct RegistrarOutboundTests {
    static let instance = "urn:uuid:00000000-0000-1000-8000-0004F2AABBCC"

    static func contact(port: Int, regID: Int? = 1, instance: String = RegistrarOutboundTests.instance) -> String {
        var value = "<sip:69@192.0.2.10:\(port);transport=tcp>;+sip.instance=\"<\(instance)>\""
        if let regID { value += ";reg-id=\(regID)" }
        return value
    }

    @Test("With Supported: outbound the binding is keyed by (AOR, instance, reg-id); a new flow replaces the old one")
    func newFlowReplacesOld() async throws {
        try await withRegistrar { h in
            let changes = h.store.changes.subscribe()
            var phone = try SIPTestPhone(port: 40_001, transport: .tcp, connectionID: 7)
            let first = try await phone.register(
                h.registrar, contacts: [Self.contact(port: 40_001)], headers: ["Supported: outbound, path"])
            #expect(first.statusCode == 200, "\(first.text)")
            #expect(first.headers[.require].map(String.init) == "outbound")
            let listed = try #require(try first.contactList.first)
            #expect(listed.instance == Self.instance)
            #expect(listed.regID == 1)

            let original = try await h.onlyBinding()
            #expect(original.key == .outbound(aor: "sip:69@example.net", instance: Self.instance, regID: 1))
            #expect(original.connectionID == 7)
            #expect(original.transport == "tcp")
            #expect(original.source == "192.0.2.10:40001")

            // The phone's NAT binding changed: new source port, new TCP connection, new contact.
            phone.source = try makeSource(host: "192.0.2.10", port: 40_002, transport: .tcp, connectionID: 9)
            let second = try await phone.register(
                h.registrar, contacts: [Self.contact(port: 40_002)], headers: ["Supported: outbound"])
            #expect(second.statusCode == 200)
            #expect(second.headers[.require].map(String.init) == "outbound")
            #expect(try second.contactList.count == 1)

            let replaced = try await h.onlyBinding()
            #expect(replaced.key == original.key)
            #expect(replaced.connectionID == 9)
            #expect(replaced.source == "192.0.2.10:40002")
            #expect(replaced.contact == "sip:69@192.0.2.10:40002;transport=tcp")
            #expect(replaced.registeredAt == original.registeredAt)
            #expect(h.location.contacts(instance: Self.instance, now: h.now) == [replaced])
            try await h.expectConsistent()

            var iterator = changes.makeAsyncIterator()
            let added = try #require(try await iterator.next())
            let refreshed = try #require(try await iterator.next())
            #expect(added.kind == .added)
            #expect(refreshed.kind == .refreshed)
            #expect(refreshed.previous?.connectionID == 7)
        }
    }

    @Test("Without Supported: outbound, reg-id is ignored: keyed by contact, no Require: outbound")
    func regIDIgnoredWithoutOutbound() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(port: 40_001, transport: .tcp, connectionID: 7)
            let first = try await phone.register(h.registrar, contacts: [Self.contact(port: 40_001)])
            #expect(first.statusCode == 200)
            #expect(!first.headers.contains(.require))
            let binding = try await h.onlyBinding()
            #expect(binding.regID == nil)
            #expect(binding.instance == Self.instance)
            #expect(binding.key == .contact(aor: "sip:69@example.net", contact: "sip:69@192.0.2.10:40001;transport=tcp"))

            // A new contact is a second binding, not a replacement.
            phone.source = try makeSource(host: "192.0.2.10", port: 40_002, transport: .tcp, connectionID: 9)
            #expect(try await phone.register(h.registrar, contacts: [Self.contact(port: 40_002)]).statusCode == 200)
            #expect(try await h.stored().count == 2)
        }
    }

    @Test("Two Contacts with reg-id in an outbound REGISTER → 400")
    func twoRegIDs() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(transport: .tcp, connectionID: 1)
            let response = try await phone.register(
                h.registrar, contacts: [Self.contact(port: 40_001, regID: 1), Self.contact(port: 40_002, regID: 2)],
                headers: ["Supported: outbound"])
            #expect(response.statusCode == 400)
            #expect(h.location.count == 0)
        }
    }

    @Test(
        "Without an instrument in the auth username, a version-1 urn:uuid instance names it; other UUIDs do not",
        arguments: [
            ("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "00A0C91E6BF6"),
            ("urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479", nil),
        ])
    func instrumentFromInstance(instance: String, expected: String?) async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(authUser: "69")
            let response = try await phone.register(
                h.registrar, contacts: ["<sip:69@192.0.2.10:5060>;+sip.instance=\"<\(instance)>\""])
            #expect(response.statusCode == 200)
            let binding = try await h.onlyBinding()
            #expect(binding.instrument?.value == expected)
            #expect(binding.instance == instance)
            if let expected {
                #expect(h.location.contacts(instrument: try #require(SIPInstrumentID(expected)), now: h.now).count == 1)
            }
            #expect(h.logs.events.last?.metadata["sip.instance"] == instance)
        }
    }

    @Test("The auth username's instrument wins over the instance's")
    func authUsernameWins() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(authUser: "69/0000DEADBEEF")
            let response = try await phone.register(
                h.registrar,
                contacts: ["<sip:69@192.0.2.10:5060>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""])
            #expect(response.statusCode == 200)
            #expect(try await h.onlyBinding().instrument?.value == "0000DEADBEEF")
        }
    }
}
