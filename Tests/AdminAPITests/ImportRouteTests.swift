import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import SIPStorage
import SIPTestSupport
import Testing

@Suite("Admin API: user import")
struct ImportRouteTests {
    @Test func importsAFileLikeTheBenchmarksUsersCSV() async throws {
        let fixture = AdminFixture()
        try await fixture.credentials.addUser(SIPUserCredential(user: "1", domain: "example.net", password: "old"), now: AdminFixture.start)
        let file = "SEQUENTIAL\n1;example.net;pw1;[authentication username=1 password=pw1]\r\n2;Example.NET;pw2\n\n# comment\n3;other.example;pw 3\n"
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: file)) { response throws in
                #expect(response.status == .ok)
                #expect(try response.decode(AdminImportResult.self) == AdminImportResult(imported: 3, added: 2, updated: 1))
            }
        }
        #expect(try await fixture.credentials.password(user: "1", domain: "example.net") == "pw1")
        #expect(try await fixture.credentials.password(user: "2", domain: "example.net") == "pw2")
        #expect(try await fixture.credentials.password(user: "3", domain: "other.example") == "pw 3")
        #expect(!fixture.logs.text.contains("pw1"))
        #expect(fixture.logs.text.contains("admin.user.import"))
    }

    @Test(arguments: [
        ("1;example.net;pw\n2;example.net\n3;example.net;pw\n", 2, "expected user;domain;password"),
        ("1;example.net;pw\n\n~~in~X;example.net;pw\n", 3, "reserved"),
        ("1;example.net;pw\n2;example.net;pw\n1;EXAMPLE.net;again\n", 3, "already appears on line 1"),
        ("a;example.net;\n", 1, "invalid password"),
    ])
    func aBadLineRejectsTheWholeFileAndIsNamed(_ file: String, _ line: Int, _ reason: String) async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: file)) { response throws in
                #expect(response.status == .badRequest)
                let error = try response.decode(AdminErrorBody.self)
                #expect(error.line == line)
                #expect(error.error.contains("line \(line):"), "\(error.error)")
                #expect(error.error.contains(reason), "\(error.error)")
                #expect(error.error.contains("nothing written"))
            }
        }
        #expect(try await fixture.credentials.users(domain: nil).isEmpty)
    }

    @Test func emptyFileImportsNothing() async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: "SEQUENTIAL\n")) { response throws in
                #expect(response.status == .ok)
                #expect(try response.decode(AdminImportResult.self) == AdminImportResult(imported: 0, added: 0, updated: 0))
            }
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        let fixture = AdminFixture()
        try await fixture.test { client in
            let body = ByteBuffer(bytes: Array("1;example.net;".utf8) + [0xFF, 0xFE, 0x0A])
            try await client.execute(uri: "/v1/users/import", method: .post, body: body) { response throws in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage == "import file is not valid UTF-8")
            }
        }
    }

    @Test func limitsOnSizeAndCountAreEnforced() async throws {
        var fixture = AdminFixture()
        fixture.limits.maxImportBytes = 1000
        fixture.limits.maxImportUsers = 2
        try await fixture.test { client in
            let big = String(repeating: "x;example.net;pw\n", count: 100)
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: big)) { response throws in
                #expect(response.status == .contentTooLarge)
                #expect(response.errorMessage == "request body larger than 1000 bytes")
            }
            let three = "1;example.net;pw\n2;example.net;pw\n3;example.net;pw\n"
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: three)) { response throws in
                #expect(response.status == .badRequest)
                #expect(try response.decode(AdminErrorBody.self).line == 3)
            }
        }
        #expect(try await fixture.credentials.users(domain: nil).isEmpty)
    }

    @Test func tenThousandUsersImportInOneRequest() async throws {
        let fixture = AdminFixture()
        let file = (1...10_000).map { "\($0);example.net;password\($0);[authentication username=\($0) password=password\($0)]" }
            .joined(separator: "\n")
        try await fixture.test { client in
            try await client.execute(uri: "/v1/users/import", method: .post, body: ByteBuffer(string: "SEQUENTIAL\n" + file)) { response throws in
                #expect(response.status == .ok)
                #expect(try response.decode(AdminImportResult.self).added == 10_000)
            }
        }
        #expect(try await fixture.credentials.users(domain: "example.net").count == 10_000)
        #expect(try await fixture.credentials.password(user: "9999", domain: "example.net") == "password9999")
    }
}
