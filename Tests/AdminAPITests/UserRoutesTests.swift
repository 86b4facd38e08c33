import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import SIPStorage
import SIPTestSupport
import Testing

@Suite("Admin API: users")
struct UserRoutesTests {
    @Test func healthListsDomainsDefaultFirst() async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/health", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try response.decode(AdminHealth.self) == AdminHealth(domains: ["example.net", "other.example"]))
            }
        }
    }

    @Test func addWithoutPasswordGeneratesAStrongOneAndStoresIt() async throws {
        let fixture = AdminFixture()
        let result = try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69"}"#)) { response throws in
                #expect(response.status == .created)
                return try response.decode(AdminCredentialResult.self)
            }
        }
        #expect(result.user == "69")
        #expect(result.domain == "example.net")  // the first domain is the default
        #expect(result.passwordGenerated)
        let password = try #require(result.password)
        #expect(password.count == 24)
        #expect(password.allSatisfy { PasswordGenerator.alphabet.contains($0) })
        #expect(try await fixture.credentials.password(user: "69", domain: "example.net") == password)
        #expect(!fixture.logs.text.contains(password))
        #expect(fixture.logs.text.contains("admin.user.added"))
    }

    @Test func generatedPasswordsDifferAndUseTheWholeAlphabet() async throws {
        let fixture = AdminFixture()
        let passwords = try await fixture.test { client in
            var passwords: [String] = []
            for index in 0..<40 {
                let password = try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"u\#(index)"}"#)) {
                    try #require(try $0.decode(AdminCredentialResult.self).password)
                }
                passwords.append(password)
            }
            return passwords
        }
        #expect(Set(passwords).count == passwords.count)
        // 960 draws from 62 symbols: every class (digit, upper, lower) shows up.
        let characters = passwords.joined()
        #expect(characters.contains { $0.isNumber })
        #expect(characters.contains { $0.isUppercase })
        #expect(characters.contains { $0.isLowercase })
    }

    @Test func configuredPasswordLengthIsHonouredButNeverBelowTwenty() async throws {
        var fixture = AdminFixture()
        fixture.limits.generatedPasswordLength = 8
        let password = try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69"}"#)) {
                try #require(try $0.decode(AdminCredentialResult.self).password)
            }
        }
        #expect(password.count == PasswordGenerator.minimumLength)
    }

    @Test func addWithPasswordDoesNotEchoItAndHonoursTheDomain() async throws {
        let fixture = AdminFixture()
        let body = #"{"user":"70","domain":"Other.Example","password":"s3cret pass"}"#
        let result = try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(body)) { response throws in
                #expect(response.status == .created)
                #expect(!response.text.contains("s3cret"))
                return try response.decode(AdminCredentialResult.self)
            }
        }
        #expect(result == AdminCredentialResult(user: "70", domain: "other.example", password: nil, passwordGenerated: false))
        #expect(try await fixture.credentials.password(user: "70", domain: "other.example") == "s3cret pass")
        #expect(!fixture.logs.text.contains("s3cret"))
    }

    @Test func addExistingUserIs409() async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69","password":"a"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69","password":"b"}"#)) { response throws in
                #expect(response.status == .conflict)
                #expect(response.errorMessage == "user 69@example.net already exists")
            }
        }
        #expect(try await fixture.credentials.password(user: "69", domain: "example.net") == "a")
    }

    @Test(arguments: ["~~in~0000DEADBEEF", "~~", "~~x"])
    func reservedUserNamesAreRefused(_ name: String) async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"\#(name)","password":"pw"}"#)) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains("reserved") == true)
            }
            let path = "/v1/users/example.net/\(AdminClient.percentEncode(name))"
            try await client.execute(uri: path, method: .delete) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains("reserved") == true)
            }
            try await client.execute(uri: path + "/password", method: .put, body: json(#"{"password":"x"}"#)) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains("reserved") == true)
            }
        }
        #expect(try await fixture.credentials.users(domain: nil).isEmpty)
    }

    @Test(arguments: [
        (#"{"password":"x"}"#, "missing field 'user'"),
        (#"{"user":69}"#, "wrong type for 'user'"),
        (#"[1,2"#, "invalid JSON body"),
        (#""#, "missing field 'user'"),
        (#"{"user":"a b","password":"x"}"#, "invalid user name 'a b'"),
        (#"{"user":"69","domain":"bad_domain!","password":"x"}"#, "invalid domain"),
        (#"{"user":"69","password":""}"#, "invalid password: empty"),
    ])
    func badAddBodiesAre400(_ body: String, _ expected: String) async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(body)) { response throws in
                #expect(response.status == .badRequest)
                let message = try #require(response.errorMessage)
                #expect(message.contains(expected), "\(message)")
            }
        }
    }

    @Test func addWithoutAnyServerDomainNeedsAnExplicitDomain() async throws {
        var fixture = AdminFixture()
        fixture.domains = []
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69"}"#)) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains("no default domain") == true)
            }
            try await client.execute(uri: "/v1/users", method: .post, body: json(#"{"user":"69","domain":"a.example"}"#)) {
                #expect($0.status == .created)
            }
        }
    }

    @Test func tooLargeJSONBodyIs413() async throws {
        var fixture = AdminFixture()
        fixture.limits.maxJSONBodyBytes = 64
        try await fixture.test { client in
            let body = #"{"user":"69","password":"\#(String(repeating: "x", count: 100))"}"#
            try await client.execute(uri: "/v1/users", method: .post, body: json(body)) { response throws in
                #expect(response.status == .contentTooLarge)
                #expect(response.errorMessage == "request body larger than 64 bytes")
            }
        }
    }

    @Test func listAllOrOneDomainOrderedWithoutPasswords() async throws {
        let fixture = AdminFixture()
        for (user, domain) in [("70", "example.net"), ("69", "example.net"), ("1", "other.example")] {
            try await fixture.credentials.addUser(SIPUserCredential(user: user, domain: domain, password: "pw-\(user)"), now: AdminFixture.start)
        }
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(!response.text.contains("pw-"))
                let users = try response.decode([AdminUser].self)
                #expect(users.map(\.aor) == ["sip:69@example.net", "sip:70@example.net", "sip:1@other.example"])
                #expect(users.first?.created == "2023-11-14T22:13:20.000Z")
            }
            try await client.execute(uri: "/v1/users?domain=OTHER.example", method: .get) { response throws in
                #expect(try response.decode([AdminUser].self).map(\.user) == ["1"])
            }
            try await client.execute(uri: "/v1/users?domain=nobody.example", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(try response.decode([AdminUser].self).isEmpty)
            }
        }
    }

    @Test func removeDeletesTheUserAndUnknownIs404() async throws {
        let fixture = AdminFixture()
        try await fixture.credentials.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "pw"), now: AdminFixture.start)
        try await fixture.test { client in
            // %36%39 is "69": path segments are percent-decoded; the domain is case-insensitive.
            try await client.execute(uri: "/v1/users/Example.NET/%36%39", method: .delete) { response throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/users/example.net/69", method: .delete) { response throws in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "user 69@example.net does not exist")
            }
        }
        #expect(try await fixture.credentials.users(domain: nil).isEmpty)
        #expect(fixture.logs.text.contains("admin.user.removed"))
    }

    @Test func passwdSetsGivenOrGeneratedPasswordAndUnknownIs404() async throws {
        let fixture = AdminFixture()
        try await fixture.credentials.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "old"), now: AdminFixture.start)
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users/example.net/69/password", method: .put, body: json(#"{"password":"new-one"}"#)) {
                response throws in
                #expect(response.status == .ok)
                #expect(!response.text.contains("new-one"))
                #expect(try response.decode(AdminCredentialResult.self).passwordGenerated == false)
            }
            #expect(try await fixture.credentials.password(user: "69", domain: "example.net") == "new-one")

            // No body at all: generate.
            let generated = try await client.execute(uri: "/v1/users/example.net/69/password", method: .put) { response throws in
                #expect(response.status == .ok)
                return try #require(try response.decode(AdminCredentialResult.self).password)
            }
            #expect(generated.count == 24)
            #expect(try await fixture.credentials.password(user: "69", domain: "example.net") == generated)
            #expect(!fixture.logs.text.contains(generated))
            #expect(!fixture.logs.text.contains("new-one"))

            try await client.execute(uri: "/v1/users/example.net/404/password", method: .put, body: json("{}")) { response throws in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "user 404@example.net does not exist")
            }
        }
    }

    @Test func unknownRouteIsAJSON404() async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/nothing", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "no such endpoint: GET /v1/nothing")
            }
        }
    }
}
