import SIPCore
import SIPStorage
import SIPTestSupport
import Testing

@Suite struct BindingKeyTests {
    @Test func outboundKeyWhenInstanceAndRegIDPresent() {
        let binding = makeBinding(instance: "<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>", regID: 1)
        #expect(binding.key == .outbound(aor: "sip:69@example.net", instance: "<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>", regID: 1))
        // A new flow (other contact, source, connection) keeps the key: RFC 5626 §6 replaces the flow.
        var moved = binding
        moved.contact = "sip:69@198.51.100.9:40000;transport=tcp"
        moved.connectionID = 99
        #expect(moved.key == binding.key)
    }

    @Test func contactKeyWithoutRegIDOrInstance() {
        let instanceOnly = makeBinding(instance: "<urn:uuid:x>", regID: nil)
        #expect(instanceOnly.key == .contact(aor: "sip:69@example.net", contact: instanceOnly.contact))
        let regIDOnly = makeBinding(instance: nil, regID: 2)
        #expect(regIDOnly.key == .contact(aor: "sip:69@example.net", contact: regIDOnly.contact))
    }

    @Test func storageKeysDistinguishKinds() {
        let outbound = BindingKey.outbound(aor: "sip:a@b", instance: "i", regID: 1)
        let contact = BindingKey.contact(aor: "sip:a@b", contact: "i")
        #expect(outbound.storageKey != contact.storageKey)
        #expect(outbound.aor == "sip:a@b" && contact.aor == "sip:a@b")
    }

    @Test func canonicalAOR() throws {
        let uri = try SIPURI(parsing: "sip:69@EXAMPLE.net:5060;transport=tcp")
        #expect(Binding.canonicalAOR(uri) == "sip:69@example.net")
        #expect(Binding.canonicalAOR(user: "69", domain: "Example.NET") == "sip:69@example.net")
    }

    @Test func expiryIsInclusive() {
        let binding = makeBinding(expiresAt: 50)
        #expect(!binding.isExpired(at: SIPTimestamp(millisecondsSince1970: 49_999)))
        #expect(binding.isExpired(at: SIPTimestamp(secondsSince1970: 50)))
    }
}

@Suite struct UserValidationTests {
    @Test func reservedNamesAreRefused() {
        #expect(throws: StorageError.reservedUserName("~~in~0000DEADBEEF")) {
            try SIPUserCredential(user: "~~in~0000DEADBEEF", domain: "example.net", password: "x").validate()
        }
        // A single leading ~ is an ordinary name.
        #expect(throws: Never.self) { try SIPUserCredential(user: "~69", domain: "example.net", password: "x").validate() }
    }

    @Test(arguments: ["", "a b", "a@b", "a;b", "a:b", "a,b", "a\u{7}", "69/0000DEADBEEF"])
    func invalidUserNames(_ name: String) {
        #expect(throws: StorageError.self) { try SIPUserCredential(user: name, domain: "example.net", password: "x").validate() }
    }

    @Test(arguments: ["", "exa mple.net", "example.net;x", "ex@mple"])
    func invalidDomains(_ domain: String) {
        #expect(throws: StorageError.invalidDomain(domain.lowercased())) {
            try SIPUserCredential(user: "69", domain: domain, password: "x").validate()
        }
    }

    @Test func passwordRules() {
        #expect(throws: StorageError.invalidPassword(reason: "empty")) {
            try SIPUserCredential(user: "69", domain: "example.net", password: "").validate()
        }
        #expect(throws: StorageError.invalidPassword(reason: "contains a control character")) {
            try SIPUserCredential(user: "69", domain: "example.net", password: "a\nb").validate()
        }
        #expect(throws: Never.self) {
            try SIPUserCredential(user: "69.x", domain: "[2001:db8::1]", password: "pass word;with semi").validate()
        }
    }

    @Test func descriptionHidesPassword() {
        let credential = SIPUserCredential(user: "69", domain: "Example.NET", password: "s3cr3t-Value")
        #expect(credential.domain == "example.net")
        #expect(!"\(credential)".contains("s3cr3t"))
    }
}
