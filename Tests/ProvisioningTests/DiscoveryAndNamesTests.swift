import Provisioning
import SIPAuth
import SIPCore
import Testing

@Suite("RFC 6011 discovery records")
struct DiscoveryTests {
    @Test("DHCPv4 option 141 compresses like RFC 3397 §3's worked example (eng.apple.com, marketing.apple.com)")
    func dhcpv4WorkedExample() throws {
        let data = try ConfigurationServiceDiscovery.dhcpv4Data(domains: ["eng.apple.com", "marketing.apple.com"])
        let expected: [UInt8] =
            [3] + Array("eng".utf8) + [5] + Array("apple".utf8) + [3] + Array("com".utf8) + [0]
            + [9] + Array("marketing".utf8) + [0xC0, 0x04]
        #expect(data == expected)
        #expect(data.count == 27)
        let option = try ConfigurationServiceDiscovery.dhcpv4Options(domains: ["eng.apple.com", "marketing.apple.com"])
        #expect(option == [141, 27] + expected)
    }

    @Test("Compression is case-insensitive and reuses whole names; a trailing dot is the same name")
    func compression() throws {
        let data = try ConfigurationServiceDiscovery.dhcpv4Data(domains: ["example.net.", "EXAMPLE.net", "cfg.example.net"])
        let first: [UInt8] = [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0]
        #expect(data == first + [0xC0, 0x00] + [3] + Array("cfg".utf8) + [0xC0, 0x00])
    }

    @Test("Data longer than 255 bytes is split into consecutive options (RFC 3396)")
    func longOption() throws {
        let domains = (0..<12).map { "a-fairly-long-label-number-\($0).example-\($0).net" }
        let data = try ConfigurationServiceDiscovery.dhcpv4Data(domains: domains)
        #expect(data.count > 255)
        let options = try ConfigurationServiceDiscovery.dhcpv4Options(domains: domains)
        #expect(options[0] == 141 && options[1] == 255)
        #expect(options[257] == 141 && Int(options[258]) == data.count - 255)
        #expect(Array(options[2..<257]) + Array(options[259...]) == data)
    }

    @Test("DHCPv6 option 58: 16-bit code and length, names uncompressed")
    func dhcpv6() throws {
        let option = try ConfigurationServiceDiscovery.dhcpv6Option(domains: ["example.net", "cfg.example.net"])
        let names: [UInt8] =
            [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0]
            + [3] + Array("cfg".utf8) + [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0]
        #expect(option == [0, 58, 0, UInt8(names.count)] + names)
    }

    @Test("U-NAPTR SFUA.CFG record as in RFC 6011 §2.3.3")
    func naptr() throws {
        #expect(
            try ConfigurationServiceDiscovery.naptrRecord(domain: "example.net", url: "https://p1.example.net/cfg")
                == #"example.net. IN NAPTR 10 10 "u" "SFUA.CFG" "!^.*$!https://p1.example.net/cfg!" ."#)
        #expect(
            try ConfigurationServiceDiscovery.naptrRecord(
                domain: "example.net.", url: "https://p2.example.net/cfg", order: 100, preference: 10, ttl: 3600)
                == #"example.net. 3600 IN NAPTR 100 10 "u" "SFUA.CFG" "!^.*$!https://p2.example.net/cfg!" ."#)
    }

    @Test("Bad names and URLs are refused with a message", arguments: ["", "exa mple.net", "-x.net", "a..b", String(repeating: "a", count: 64) + ".net"])
    func badDomain(domain: String) {
        #expect(throws: ConfigurationServiceDiscovery.Failure.self) { try ConfigurationServiceDiscovery.dhcpv4Data(domains: [domain]) }
    }

    @Test("The NAPTR URL must be https and free of '!'")
    func badURL() {
        #expect(throws: ConfigurationServiceDiscovery.Failure.self) {
            try ConfigurationServiceDiscovery.naptrRecord(domain: "example.net", url: "http://p1.example.net/cfg")
        }
        #expect(throws: ConfigurationServiceDiscovery.Failure.self) {
            try ConfigurationServiceDiscovery.naptrRecord(domain: "example.net", url: "https://p1.example.net/!x")
        }
    }
}

@Suite("Configuration request parsing")
struct ConfigurationRequestParsingTests {
    @Test("sfua-id: a version-1 UUID's node is the MAC (RFC 6011 §2.3.3 example)")
    func sfuaID() throws {
        let request = try SFUARequest(query: [
            ("sfua-id", "urn:uuid:00000000-0000-1000-8000-001122334455"), ("sfua-vendor", "examplecorp.com"),
            ("sfua-model", "HypoComm"), ("sfua-revision", "2.1"), ("other", "ignored"),
        ])
        #expect(request.instrument.value == "001122334455")
        #expect(request.vendor == "examplecorp.com")
        #expect(request.model == "HypoComm")
        #expect(request.revision == "2.1")
        #expect(request.user == nil)
    }

    @Test("Not the sfua form, or an unusable id")
    func sfuaFailures() {
        #expect(throws: SFUARequest.Failure.notSFUA) { try SFUARequest(query: [("mac", "001122334455")]) }
        #expect(throws: SFUARequest.Failure.unusableID) { try SFUARequest(query: [("sfua-user", "69")]) }
        #expect(throws: SFUARequest.Failure.unusableID) {
            try SFUARequest(query: [("sfua-id", "urn:uuid:f81d4fae-7dec-41d0-a765-00a0c91e6bf6")])
        }
        #expect(throws: SFUARequest.Failure.unusableID) { try SFUARequest(query: [("sfua-id", "not-a-urn")]) }
    }

    @Test(
        "Vendor file names, legacy and current, map to the same phone",
        arguments: [
            ("/0000deadbeef.cfg", PhoneVendor.yealink, "yealink"), ("/0000DEADBEEF.cfg", .polycom, "polycom-master"),
            ("/prov/0000deadbeef-switchboard.cfg", .polycom, "polycom"), ("/0000deadbeef.cfg", .fanvil, "fanvil"),
            ("/0000deadbeef.boot", .yealink, "yealink-boot"), ("/0000deadbeef.xml", .snom, "snom"),
            ("/snomD785-0000DEADBEEF.htm", .snom, "snom"), ("/0000deadbeef.xml", .cisco, "cisco"),
            ("/spa0000deadbeef.xml", .cisco, "cisco"), ("/cfg0000deadbeef.xml", .grandstream, "grandstream"),
        ])
    func fileNames(path: String, vendor: PhoneVendor, template: String) throws {
        let name = try #require(ConfigurationFileName(path: path))
        guard case .instrument(let id, _) = name else {
            Issue.record("\(path) is not a per-phone file")
            return
        }
        #expect(id == deadBeef)
        #expect(name.template(for: vendor) == template)
    }

    @Test("Names no vendor uses", arguments: ["/", "/index.html", "/0000deadbeef", "/0000deadbee.cfg", "/00000deadbeef.cfg", "/cfg0000deadbeef"])
    func unknownNames(path: String) {
        #expect(ConfigurationFileName(path: path) == nil)
    }
}

@Suite("Device certificate → instrument")
struct DeviceCertificateIdentityTests {
    @Test(
        "The MAC in the subject CN or a SAN",
        arguments: [
            ("CN=0000DEADBEEF", [String]()), ("O=Yealink,CN=00:00:de:ad:be:ef", []), ("CN=SEP0000DEADBEEF,OU=Phones", []),
            ("CN=yealink-0000deadbeef", []), ("CN=phone", ["URI:urn:uuid:00000000-0000-1000-8000-0000deadbeef"]),
            ("CN=phone", ["DNS:0000deadbeef.phones.example.net"]),
        ])
    func found(subject: String, sans: [String]) {
        #expect(DeviceCertificateIdentity.instrument(subject: subject, subjectAlternativeNames: sans) == deadBeef)
    }

    @Test("No MAC anywhere", arguments: ["CN=softphone.example.net", "CN=0000DEADBEEFF1", "O=x"])
    func none(subject: String) {
        #expect(DeviceCertificateIdentity.instrument(subject: subject, subjectAlternativeNames: ["DNS:sip.example.net"]) == nil)
    }
}
