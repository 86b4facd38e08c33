import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import Testing

/// The pure binding rules (RFC 3261 §10.3 steps 6–7, RFC 5626 §6) of ``RegistrationPlanner``.
@Suite("RegistrationPlanner")
struct RegistrationPlannerTests {
    static let now = ManualClock.defaultStart
    static let aor = "sip:69@example.net"
    let policy = RegistrarPolicy(defaultExpires: 3600, minExpires: 60, maxExpires: 86_400)

    static func contacts(_ values: [String]) throws -> SIPContactList {
        if values == ["*"] { return .wildcard }
        return .contacts(try values.map { SIPContact(address: try SIPNameAddress(parsing: Substring($0))) })
    }

    static func request(
        _ contacts: [String], callID: String = "call-1", cseq: UInt32 = 10, expires: UInt32? = nil,
        outbound: Bool = false, instrument: String? = "0000DEADBEEF"
    ) throws -> RegistrationRequest {
        RegistrationRequest(
            aor: aor, callID: callID, cseq: cseq, contacts: try Self.contacts(contacts), expiresHeader: expires,
            supportsOutbound: outbound, path: [], instrument: instrument.flatMap { SIPInstrumentID($0) },
            source: "192.0.2.10:5060", transport: "udp", connectionID: nil, localListener: "192.0.2.1:5060",
            userAgent: nil)
    }

    func plan(_ request: RegistrationRequest, existing: [Binding] = []) throws(SIPResponseError) -> [BindingUpdate] {
        try RegistrationPlanner.plan(request, existing: existing, policy: policy, now: Self.now)
    }

    func rejection(_ request: RegistrationRequest, existing: [Binding] = []) -> SIPResponseError? {
        do {
            _ = try plan(request, existing: existing)
            return nil
        } catch {
            return error
        }
    }

    static func upserted(_ updates: [BindingUpdate]) -> [Binding] {
        updates.compactMap { if case .upsert(let binding) = $0 { binding } else { nil } }
    }

    @Test("Interval: contact expires, else Expires header, else the default; capped at the maximum")
    func interval() throws {
        let cases: [([String], UInt32?, Int64)] = [
            (["<sip:69@192.0.2.10>;expires=120"], 3600, 120),
            (["<sip:69@192.0.2.10>"], 600, 600),
            (["<sip:69@192.0.2.10>"], nil, 3600),
            (["<sip:69@192.0.2.10>;expires=999999"], nil, 86_400),
            (["<sip:69@192.0.2.10>"], 60, 60),
        ]
        for (contacts, header, granted) in cases {
            let bindings = Self.upserted(try plan(Self.request(contacts, expires: header)))
            #expect(bindings.map(\.expiresAt) == [Self.now.adding(seconds: granted)], "\(contacts) Expires: \(String(describing: header))")
        }
    }

    @Test("Below Min-Expires → 423 with Min-Expires; zero is not too brief")
    func tooBrief() throws {
        let rejected = rejection(try Self.request(["<sip:69@192.0.2.10>;expires=59"]))
        #expect(rejected?.statusCode == 423)
        #expect(rejected?.headers == [SIPHeaderField(.minExpires, "60")])
        #expect(rejection(try Self.request(["<sip:69@192.0.2.10>"], expires: 1))?.statusCode == 423)
        #expect(rejection(try Self.request(["<sip:69@192.0.2.10>"], expires: 0)) == nil)
    }

    @Test("Expires 0 removes an existing binding and ignores an unknown one")
    func removal() throws {
        let existing = [makeBinding(contact: "sip:69@192.0.2.10", callID: "other", cseq: 99)]
        let updates = try plan(Self.request(["<sip:69@192.0.2.10>", "<sip:69@192.0.2.11>"], expires: 0), existing: existing)
        #expect(updates == [.remove(.contact(aor: Self.aor, contact: "sip:69@192.0.2.10"))])
    }

    @Test("Wildcard: needs Expires 0; removes bindings of other Call-IDs and older CSeqs")
    func wildcard() throws {
        let existing = [
            makeBinding(contact: "sip:69@192.0.2.10", callID: "call-1", cseq: 9),
            makeBinding(contact: "sip:69@192.0.2.11", callID: "call-2", cseq: 500),
        ]
        let updates = try plan(Self.request(["*"], callID: "call-1", cseq: 10, expires: 0), existing: existing)
        #expect(Set(updates) == Set(existing.map { BindingUpdate.remove($0.key) }))
        #expect(rejection(try Self.request(["*"], expires: 3600), existing: existing)?.statusCode == 400)
        #expect(rejection(try Self.request(["*"]), existing: existing)?.statusCode == 400)
    }

    @Test("Wildcard with a binding's Call-ID and a CSeq not higher aborts the request (RFC 3261 §10.3 step 6)")
    func wildcardOutOfOrder() throws {
        let existing = [
            makeBinding(contact: "sip:69@192.0.2.10", callID: "call-1", cseq: 10),
            makeBinding(contact: "sip:69@192.0.2.11", callID: "call-2", cseq: 1),
        ]
        let rejected = rejection(try Self.request(["*"], callID: "call-1", cseq: 10, expires: 0), existing: existing)
        #expect(rejected?.statusCode == 400)
        #expect(rejected?.outcome == "register.out_of_order")
    }

    @Test("Same Call-ID: CSeq must be higher; another Call-ID may have any CSeq")
    func cseqOrdering() throws {
        let existing = [makeBinding(contact: "sip:69@192.0.2.10", callID: "call-1", cseq: 10)]
        for cseq: UInt32 in [1, 10] {
            let rejected = rejection(try Self.request(["<sip:69@192.0.2.10>"], callID: "call-1", cseq: cseq), existing: existing)
            #expect(rejected?.statusCode == 400)
            #expect(rejected?.outcome == "register.out_of_order")
        }
        let higher = Self.upserted(try plan(Self.request(["<sip:69@192.0.2.10>"], callID: "call-1", cseq: 11), existing: existing))
        #expect(higher.map(\.cseq) == [11])
        let otherCall = Self.upserted(try plan(Self.request(["<sip:69@192.0.2.10>"], callID: "call-9", cseq: 1), existing: existing))
        #expect(otherCall.map(\.callID) == ["call-9"])
        // The CSeq rule is per binding: a new contact in the same call is fine with any CSeq.
        #expect(try plan(Self.request(["<sip:69@192.0.2.12>"], callID: "call-1", cseq: 1), existing: existing).count == 1)
    }

    @Test("Refresh keeps registeredAt and the stored text of an equivalent URI")
    func refresh() throws {
        let earlier = ManualClock.defaultStart.adding(seconds: -600)
        let existing = [makeBinding(contact: "sip:69@Phone.Example.com;transport=udp", callID: "c", cseq: 1, at: earlier)]
        let bindings = Self.upserted(try plan(Self.request(["<sip:69@phone.example.COM;transport=udp>"], callID: "c", cseq: 2), existing: existing))
        #expect(bindings.count == 1)
        #expect(bindings.first?.contact == "sip:69@Phone.Example.com;transport=udp")
        #expect(bindings.first?.key == existing[0].key)
        #expect(bindings.first?.registeredAt == earlier)
        #expect(bindings.first?.updatedAt == Self.now)
    }

    @Test("q-values: stored as thousandths, default 1; invalid q or expires → 400")
    func qValues() throws {
        let bindings = Self.upserted(try plan(Self.request(["<sip:69@192.0.2.10>;q=0.7", "<sip:69@192.0.2.11>", "<sip:69@192.0.2.12>;q=0"])))
        #expect(bindings.map(\.q) == [700, 1000, 0])
        #expect(rejection(try Self.request(["<sip:69@192.0.2.10>;q=2"]))?.statusCode == 400)
        #expect(rejection(try Self.request(["<sip:69@192.0.2.10>;expires=soon"]))?.statusCode == 400)
    }

    @Test("The same contact twice in one REGISTER is one binding")
    func duplicateContact() throws {
        let updates = try plan(Self.request(["<sip:69@192.0.2.10>", "<sip:69@192.0.2.10>;q=0.5"]))
        #expect(updates.count == 1)
    }

    @Test("Outbound key only with Supported: outbound and both +sip.instance and reg-id")
    func outboundKey() throws {
        let instance = "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-0004F2AABBCC>\""
        let both = "<sip:69@192.0.2.10;transport=tcp>;\(instance);reg-id=2"
        let outbound = Self.upserted(try plan(Self.request([both], outbound: true)))
        #expect(outbound.map(\.key) == [.outbound(aor: Self.aor, instance: "urn:uuid:00000000-0000-1000-8000-0004F2AABBCC", regID: 2)])
        let plain = Self.upserted(try plan(Self.request([both], outbound: false)))
        #expect(plain.map(\.regID) == [nil])
        #expect(plain.map(\.key) == [.contact(aor: Self.aor, contact: "sip:69@192.0.2.10;transport=tcp")])
        let noInstance = Self.upserted(try plan(Self.request(["<sip:69@192.0.2.10>;reg-id=1"], outbound: true)))
        #expect(noInstance.map(\.regID) == [nil])

        let two = [both, "<sip:69@192.0.2.11;transport=tcp>;\(instance);reg-id=3"]
        #expect(rejection(try Self.request(two, outbound: true))?.statusCode == 400)
        #expect(rejection(try Self.request(two, outbound: false)) == nil)
    }

    @Test("Instrument: from the auth username, else from a version-1 UUID instance, else none")
    func instrument() throws {
        let v1 = "<sip:69@192.0.2.10>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""
        let v4 = "<sip:69@192.0.2.10>;+sip.instance=\"<urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479>\""
        #expect(Self.upserted(try plan(Self.request([v1], instrument: "0000DEADBEEF"))).first?.instrument?.value == "0000DEADBEEF")
        #expect(Self.upserted(try plan(Self.request([v1], instrument: nil))).first?.instrument?.value == "00A0C91E6BF6")
        #expect(Self.upserted(try plan(Self.request([v4], instrument: nil))).first?.instrument == nil)
        #expect(Self.upserted(try plan(Self.request(["<sip:69@192.0.2.10>"], instrument: nil))).first?.instrument == nil)
    }

    @Test("An empty Contact list (a query) plans nothing")
    func query() throws {
        #expect(try plan(Self.request([]), existing: [makeBinding()]).isEmpty)
    }
}
