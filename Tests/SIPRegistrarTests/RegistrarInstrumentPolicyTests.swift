import Logging
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import Testing

/// `auth.instrumentPolicy: provisioned`: only line appearances provisioned on the instrument
/// named by the auth username (`69/0000DEADBEEF`) may register.
@Suite("Registrar: provisioned instrument policy")
struct RegistrarInstrumentPolicyTests {
    /// A store where line 69 (only) is provisioned on 0000DEADBEEF.
    func provisioned() async throws -> InMemoryProvisioningStore {
        let store = InMemoryProvisioningStore()
        try await store.addInstrument(
            InstrumentDefinition(
                id: SIPInstrumentID("0000DEADBEEF")!, vendor: "yealink",
                lines: [LineDefinition(user: "69", domain: TestUsers.domain)]),
            now: SIPTimestamp(secondsSince1970: 0))
        return store
    }

    @Test("A provisioned line registers; the MAC may be spelled any way")
    func provisionedLineRegisters() async throws {
        let store = try await provisioned()
        try await withRegistrar(provisionedLines: store.provisionedLines) { h in
            var phone = try SIPTestPhone(user: "69", authUser: "69/00:00:de:ad:be:ef")
            #expect(try await phone.register(h.registrar).statusCode == 200)
            #expect(try await h.onlyBinding().instrument?.value == "0000DEADBEEF")
        }
    }

    @Test(
        "Another MAC, a line not provisioned there, or no instrument at all → 403, logged",
        arguments: [("69", "69/0000DEADBEE0"), ("70", "70/0000DEADBEEF"), ("69", "69")])
    func unprovisionedRefused(user: String, authUser: String) async throws {
        let store = try await provisioned()
        try await withRegistrar(provisionedLines: store.provisionedLines) { h in
            var phone = try SIPTestPhone(user: user, authUser: authUser)
            let response = try await phone.register(h.registrar)
            #expect(response.statusCode == 403)
            #expect(h.location.count == 0)
            let event = try #require(h.logs.events.last)
            #expect(event.metadata["event"] == "register.not_provisioned")
            #expect(event.level == .notice)
        }
    }

    @Test("The policy is checked only after authentication: a wrong password gets the usual 401")
    func checkedAfterAuthentication() async throws {
        let store = try await provisioned()
        try await withRegistrar(provisionedLines: store.provisionedLines) { h in
            var phone = try SIPTestPhone(user: "70", authUser: "70/0000DEADBEE0", password: "wrong")
            #expect(try await phone.register(h.registrar).statusCode == 401)
            #expect(h.logs.events.last?.metadata["event"] == "register.auth_failed")
        }
    }

    @Test("Lines added and removed later take effect at once")
    func followsTheStore() async throws {
        let store = try await provisioned()
        let mac = SIPInstrumentID("0000DEADBEEF")!
        try await withRegistrar(provisionedLines: store.provisionedLines) { h in
            var seventy = try SIPTestPhone(user: "70")
            #expect(try await seventy.register(h.registrar).statusCode == 403)
            try await store.addLine(LineDefinition(user: "70", domain: TestUsers.domain), to: mac, now: h.now)
            var again = try SIPTestPhone(user: "70")
            #expect(try await again.register(h.registrar).statusCode == 200)
            try await store.removeInstrument(mac, now: h.now)
            var sixtyNine = try SIPTestPhone(user: "69")
            #expect(try await sixtyNine.register(h.registrar).statusCode == 403)
        }
    }

    @Test("Without the policy (open), any instrument registers")
    func openPolicy() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone(user: "70", authUser: "70/0000DEADBEE0")
            #expect(try await phone.register(h.registrar).statusCode == 200)
        }
    }
}
