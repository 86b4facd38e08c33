import SIPCore
import Testing

/// Instrument identification: `user/INSTRUMENT` auth usernames and MAC canonicalisation
/// (draft-worley-instrument-identification; RFC 5626 §4.1 instance ids; RFC 4122 §4.1.6).
@Suite struct InstrumentTests {
    @Test(arguments: [
        "00:00:de:ad:be:ef", "00-00-DE-AD-BE-EF", "0000-dead-beef", "0000.dead.beef", "0000deadbeef", "0000DEADBEEF",
        "0000DeAdBeEf", "  0000deadbeef\t",
    ])
    func macCanonicalisation(text: String) throws {
        let id = try #require(SIPInstrumentID(text))
        #expect(id.value == "0000DEADBEEF")
        #expect(id.description == "0000DEADBEEF")
        #expect(id.isMAC)
        #expect(id == SIPInstrumentID("0000DEADBEEF"))
    }

    @Test(arguments: [
        ("00:00de:ad:be:ef", "00:00de:ad:be:ef"),  // uneven groups: not a MAC, kept as given
        ("0000deadbee", "0000deadbee"),  // 11 digits
        ("0000deadbeef0", "0000deadbeef0"),  // 13 digits
        ("softphone-7", "softphone-7"),
        ("Bria.Desktop_1", "Bria.Desktop_1"),
        ("00:00:de:ad:be:eg", "00:00:de:ad:be:eg"),
    ])
    func otherTokensAreKeptAsGiven(text: String, value: String) throws {
        let id = try #require(SIPInstrumentID(text))
        #expect(id.value == value)
        #expect(!id.isMAC)
    }

    @Test func tokensCompareCaseInsensitively() throws {
        let a = try #require(SIPInstrumentID("SoftPhone-7"))
        let b = try #require(SIPInstrumentID("softphone-7"))
        #expect(a.value == "SoftPhone-7")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(!(a < b) && !(b < a))
        #expect(Set([a, b]).count == 1)
        #expect(try #require(SIPInstrumentID("0000DEADBEEE")) < #require(SIPInstrumentID("0000deadbeef")))
    }

    @Test(arguments: [
        "", "   ", "a b", "a/b", "a@b", "tab\there", "nul\u{0}", "caf\u{E9}", String(repeating: "x", count: 129),
    ])
    func invalidIdentifiers(text: String) {
        #expect(SIPInstrumentID(text) == nil)
    }

    @Test(arguments: [
        ("69/0000DEADBEEF", "69", "0000DEADBEEF"),
        ("69/00:00:de:ad:be:ef", "69", "0000DEADBEEF"),
        ("69/0000-dead-beef", "69", "0000DEADBEEF"),
        ("sales/emea/0000deadbeef", "sales/emea", "0000DEADBEEF"),
        ("alice/softphone", "alice", "softphone"),
        ("a/b/c", "a/b", "c"),
    ])
    func usernameSplitsAtLastSlash(full: String, user: String, instrument: String) throws {
        let name = SIPAuthUsername(full)
        #expect(name.full == full)
        #expect(name.user == user)
        #expect(name.instrument?.value == instrument)
    }

    @Test(arguments: ["69", "69/", "/0000deadbeef", "69/has space", "69/a@b", ""])
    func usernameWithoutInstrument(full: String) {
        let name = SIPAuthUsername(full)
        #expect(name.full == full)
        #expect(name.user == full)
        #expect(name.instrument == nil)
    }

    @Test func macFromVersion1InstanceID() throws {
        // Version 1 (time-based): the node field is the MAC.
        let v1 = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"
        #expect(SIPInstrumentID.fromInstance(v1)?.value == "00A0C91E6BF6")
        #expect(SIPInstrumentID.fromInstance("urn:uuid:00000000-0000-1000-8000-0000deadbeef")?.value == "0000DEADBEEF")
        #expect(SIPInstrumentID.fromInstance("URN:UUID:00000000-0000-1000-8000-0000DEADBEEF")?.value == "0000DEADBEEF")
    }

    @Test(arguments: [
        "urn:uuid:f81d4fae-7dec-41d0-a765-00a0c91e6bf6",  // version 4 (random)
        "urn:uuid:f81d4fae-7dec-31d0-a765-00a0c91e6bf6",  // version 3
        "urn:uuid:f81d4fae-7dec-51d0-a765-00a0c91e6bf6",  // version 5
        "urn:uuid:f81d4fae7dec-11d0-a765-00a0c91e6bf6a",  // misplaced dash
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf",  // too short
        "urn:uuid:g81d4fae-7dec-11d0-a765-00a0c91e6bf6",  // not hex
        "urn:foo:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "",
    ])
    func noMACFromOtherInstances(instance: String) {
        #expect(SIPInstrumentID.fromInstance(instance) == nil)
    }

    @Test func instanceFromContactGivesMAC() throws {
        let request = try #require(
            register(replacing: [
                "Contact: <sip:69@192.0.2.10>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-0004f200e06b>\";reg-id=2"
            ]))
        let contact = try #require(try request.contacts().contacts.first)
        let instance = try #require(contact.instance)
        #expect(SIPInstrumentID.fromInstance(instance)?.value == "0004F200E06B")
        #expect(contact.regID == 2)
    }
}
