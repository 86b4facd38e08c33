import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import Testing

/// The binding rules of RFC 3261 §10.3 steps 6–8 through the whole registrar: expiry policy,
/// removal, the wildcard, Call-ID/CSeq ordering, q-values, queries and Path (RFC 3327).
@Suite("Registrar: bindings")
struct RegistrarBindingTests {
    @Test("Expires below Min-Expires → 423 with Min-Expires; nothing stored", arguments: [
        (UInt32?.some(30), [String]?.none), (UInt32?.none, [String]?.some(["<sip:69@192.0.2.10:5060>;expires=59"])),
    ])
    func intervalTooBrief(expiresHeader: UInt32?, contacts: [String]?) async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let response = try await phone.register(h.registrar, contacts: contacts, expires: expiresHeader)
            #expect(response.statusCode == 423)
            #expect(try response.minExpires == 60)
            #expect(h.location.count == 0)
            #expect(try await h.stored().isEmpty)
            #expect(h.logs.events.last?.metadata["event"] == "register.interval_too_brief")
        }
    }

    @Test("Expires above the maximum is shortened to it; the contact parameter beats the header; default 3600")
    func expiryChoice() async throws {
        try await withRegistrar(policy: RegistrarPolicy(defaultExpires: 1800, minExpires: 60, maxExpires: 7200)) { h in
            var phone = try SIPTestPhone()
            let capped = try await phone.register(h.registrar, expires: 999_999)
            #expect(capped.statusCode == 200)
            #expect(try capped.contactList.first?.expires == 7200)
            #expect(try await h.onlyBinding().expiresAt == h.now.adding(seconds: 7200))

            let parameter = try await phone.register(
                h.registrar, contacts: ["<sip:69@192.0.2.10:5060>;expires=120"], expires: 3600)
            #expect(try parameter.contactList.first?.expires == 120)

            let defaulted = try await phone.register(h.registrar)
            #expect(try defaulted.contactList.first?.expires == 1800)
            #expect(try await h.onlyBinding().expiresAt == h.now.adding(seconds: 1800))
        }
    }

    @Test("The 200 lists the remaining expiry of every binding, counted from now")
    func remainingExpiry() async throws {
        try await withRegistrar { h in
            var first = try SIPTestPhone(host: "192.0.2.10")
            #expect(try await first.register(h.registrar, expires: 600).statusCode == 200)
            h.clock.advance(by: .seconds(100))
            var second = try SIPTestPhone(authUser: "69/0004F2AABBCC", host: "192.0.2.11")
            let response = try await second.register(h.registrar, expires: 3600)
            let listed = Dictionary(uniqueKeysWithValues: try response.contactList.map { ($0.uri.description, $0.expires) })
            #expect(listed == ["sip:69@192.0.2.10:5060": 500, "sip:69@192.0.2.11:5060": 3600])
        }
    }

    @Test("expires=0 removes that contact only")
    func removeOne() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let two = try await phone.register(
                h.registrar, contacts: ["<sip:69@192.0.2.10:5060>", "<sip:69@192.0.2.10:5062>"])
            #expect(try two.contactList.count == 2)
            let response = try await phone.register(
                h.registrar, contacts: ["<sip:69@192.0.2.10:5060>;expires=0"])
            #expect(response.statusCode == 200)
            #expect(try response.contactList.map(\.uri.description) == ["sip:69@192.0.2.10:5062"])
            #expect(try await h.stored().map(\.contact) == ["sip:69@192.0.2.10:5062"])
            try await h.expectConsistent()

            // Removing a contact that is not registered changes nothing and still succeeds.
            let absent = try await phone.register(h.registrar, contacts: ["<sip:69@203.0.113.1>"], expires: 0)
            #expect(absent.statusCode == 200)
            #expect(try await h.stored().count == 1)
        }
    }

    @Test("Contact: * with Expires: 0 removes every binding of the AOR, whoever registered it")
    func wildcardRemovesAll() async throws {
        try await withRegistrar { h in
            var desk = try SIPTestPhone(host: "192.0.2.10")
            var soft = try SIPTestPhone(authUser: "69/softphone-1", host: "192.0.2.30")
            var other = try SIPTestPhone(user: "70", host: "192.0.2.40")
            #expect(try await desk.register(h.registrar, contacts: ["<sip:69@192.0.2.10>", "<sip:69@192.0.2.10:5062>"]).statusCode == 200)
            #expect(try await soft.register(h.registrar).statusCode == 200)
            #expect(try await other.register(h.registrar).statusCode == 200)
            #expect(h.location.contacts(aor: "sip:69@example.net", now: h.now).count == 3)

            let response = try await desk.register(h.registrar, contacts: ["*"], expires: 0)
            #expect(response.statusCode == 200)
            #expect(try response.contactList.isEmpty)
            #expect(h.location.contacts(aor: "sip:69@example.net", now: h.now).isEmpty)
            #expect(try await h.stored().map(\.aor) == ["sip:70@example.net"], "other AORs are untouched")
            try await h.expectConsistent()
        }
    }

    @Test(
        "Contact: * needs Expires: 0 and no other Contact, else 400 and nothing changes",
        arguments: [
            (["*"], UInt32?.some(3600)), (["*"], nil), (["*", "<sip:69@192.0.2.10>"], UInt32?.some(0)),
            (["*, <sip:69@192.0.2.10>"], UInt32?.some(0)),
        ])
    func wildcardMisuse(contacts: [String], expires: UInt32?) async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            let response = try await phone.register(h.registrar, contacts: contacts, expires: expires)
            #expect(response.statusCode == 400, "\(response.text)")
            #expect(try await h.stored().count == 1)
        }
    }

    @Test("Contact: * with the bindings' Call-ID and a CSeq not higher fails (RFC 3261 §10.3 step 6)")
    func wildcardOutOfOrder() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            let challenge = try #require(phone.challenge)
            let stale = try phone.request(
                cseq: phone.cseq, contacts: ["*"], expires: 0,
                authorization: phone.authorization(challenge, nonceCount: 2))
            let response = await h.registrar.handleRegister(stale, source: phone.source)
            #expect(response.statusCode == 400, "\(response.text)")
            #expect(try await h.stored().count == 1, "the update was aborted")
        }
    }

    @Test("Same Call-ID with a CSeq not higher → refused; a new Call-ID is accepted")
    func callIDAndCSeqOrdering() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar).statusCode == 200)
            let challenge = try #require(phone.challenge)
            let stored = try await h.onlyBinding()
            #expect(stored.cseq == 2)

            for (cseq, nc) in [(UInt32(2), 2), (1, 3)] {
                let old = try phone.request(
                    cseq: cseq, expires: 600, authorization: phone.authorization(challenge, nonceCount: nc))
                let response = await h.registrar.handleRegister(old, source: phone.source)
                #expect(response.statusCode == 400)
                #expect(response.reasonPhrase.contains("CSeq"))
                #expect(h.logs.events.last?.metadata["event"] == "register.out_of_order")
            }
            #expect(try await h.onlyBinding() == stored, "nothing changed")

            // A phone that rebooted: new Call-ID, CSeq starting again at 1.
            var rebooted = try SIPTestPhone(callID: "after-reboot")
            rebooted.challenge = challenge
            rebooted.nonceCount = 3
            let response = try await rebooted.send(h.registrar, expires: 600, answering: challenge)
            #expect(response.statusCode == 200)
            let refreshed = try await h.onlyBinding()
            #expect(refreshed.callID == "after-reboot" && refreshed.cseq == 1)
            #expect(refreshed.expiresAt == h.now.adding(seconds: 600))
            #expect(refreshed.registeredAt == stored.registeredAt, "a refresh keeps the first registration time")
        }
    }

    @Test("q-values are stored and bindings are listed highest q first; an invalid q → 400")
    func qValues() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let response = try await phone.register(
                h.registrar,
                contacts: [
                    "<sip:69@192.0.2.10:5060>;q=0.5", "<sip:69@192.0.2.11:5060>;q=0.9", "<sip:69@192.0.2.12:5060>",
                    "<sip:69@192.0.2.13:5060>;q=0.05",
                ])
            #expect(response.statusCode == 200)
            let ordered = h.location.contacts(aor: "sip:69@example.net", now: h.now)
            #expect(ordered.map(\.q) == [1000, 900, 500, 50])
            #expect(ordered.map(\.contact) == [
                "sip:69@192.0.2.12:5060", "sip:69@192.0.2.11:5060", "sip:69@192.0.2.10:5060", "sip:69@192.0.2.13:5060",
            ])
            #expect(try response.contactList.map(\.qThousandths) == [nil, 900, 500, 50])

            let invalid = try await phone.register(h.registrar, contacts: ["<sip:69@192.0.2.14>;q=1.5"])
            #expect(invalid.statusCode == 400)
            #expect(try await h.stored().count == 4)
        }
    }

    @Test("A REGISTER without Contact is a query: 200 listing the bindings, nothing written")
    func query() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar, contacts: ["<sip:69@192.0.2.10>", "<sip:69@192.0.2.10:5062>;q=0.3"]).statusCode == 200)
            let before = try await h.stored()
            let commits = h.writer.statistics.submissions
            h.clock.advance(by: .seconds(60))
            let response = try await phone.register(h.registrar, contacts: [])
            #expect(response.statusCode == 200)
            let listed = try response.contactList
            #expect(listed.map(\.uri.description) == ["sip:69@192.0.2.10", "sip:69@192.0.2.10:5062"])
            #expect(listed.map(\.expires) == [3540, 3540])
            #expect(response.headers.contains(.date))
            #expect(try await h.stored() == before)
            #expect(h.writer.statistics.submissions == commits)
        }
    }

    @Test("A refresh with an equivalent contact URI (RFC 3261 §19.1.4) updates the same binding")
    func equivalentContact() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            #expect(try await phone.register(h.registrar, contacts: ["<sip:69@Phone.Example.COM:5060>"]).statusCode == 200)
            let response = try await phone.register(
                h.registrar, contacts: ["<sip:69@phone.example.com:5060>"], expires: 900)
            #expect(response.statusCode == 200)
            let binding = try await h.onlyBinding()
            #expect(binding.contact == "sip:69@Phone.Example.COM:5060", "the stored text is kept")
            #expect(binding.expiresAt == h.now.adding(seconds: 900))
        }
    }

    @Test("Path (RFC 3327) is stored with the binding and echoed in the 200 only when the UA supports path")
    func path() async throws {
        try await withRegistrar { h in
            var phone = try SIPTestPhone()
            let edge = ["Path: <sip:edge1.example.net;lr>", "Path: <sip:edge2.example.net;lr>"]
            let supported = try await phone.register(h.registrar, headers: edge + ["Supported: path"])
            #expect(supported.statusCode == 200)
            #expect(supported.headers.all(.path).map { String($0.value) } == ["<sip:edge1.example.net;lr>", "<sip:edge2.example.net;lr>"])
            #expect(try await h.onlyBinding().path == ["<sip:edge1.example.net;lr>", "<sip:edge2.example.net;lr>"])

            var other = try SIPTestPhone(user: "70")
            let unsupported = try await other.register(h.registrar, headers: ["Path: <sip:edge1.example.net;lr>"])
            #expect(unsupported.statusCode == 200)
            #expect(!unsupported.headers.contains(.path))
            let stored = h.location.contacts(aor: "sip:70@example.net", now: h.now)
            #expect(stored.map(\.path) == [["<sip:edge1.example.net;lr>"]])
        }
    }

    @Test("Lines 69 and 70 of one instrument are both found by instrument (any MAC spelling)")
    func twoLinesOneInstrument() async throws {
        try await withRegistrar { h in
            var line69 = try SIPTestPhone(user: "69", authUser: "69/0000DEADBEEF", port: 5060)
            var line70 = try SIPTestPhone(user: "70", authUser: "70/00:00:de:ad:be:ef", port: 5062)
            #expect(try await line69.register(h.registrar).statusCode == 200)
            #expect(try await line70.register(h.registrar).statusCode == 200)
            let instrument = try #require(SIPInstrumentID("0000deadbeef"))
            let bindings = h.location.contacts(instrument: instrument, now: h.now)
            #expect(Set(bindings.map(\.aor)) == ["sip:69@example.net", "sip:70@example.net"])
            #expect(bindings.allSatisfy { $0.instrument?.value == "0000DEADBEEF" })
            #expect(h.location.contacts(instrument: instrument, aor: "sip:70@example.net", now: h.now).count == 1)
            #expect(try await h.store.bindings(instrument: instrument, at: h.now).count == 2)
            try await h.expectConsistent()
        }
    }
}
