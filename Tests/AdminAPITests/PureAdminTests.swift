import AdminAPI
import SIPCore
import SIPStorage
import Testing

@Suite("Admin API: listen URL, passwords, times, tables, client URLs")
struct PureAdminTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080", "127.0.0.1", 8080),
        ("HTTP://localhost:0/", "localhost", 0),
        ("http://[::1]:9000", "::1", 9000),
        ("http://admin.example.net", "admin.example.net", 80),
    ])
    func parsesListenURLs(_ text: String, _ host: String, _ port: Int) throws {
        let address = try AdminListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test func listenURLDescriptionBracketsIPv6() throws {
        #expect(try AdminListenAddress(parsing: "http://[::1]:80").description == "http://[::1]:80")
        #expect(AdminListenAddress.default.description == "http://127.0.0.1:8080")
    }

    @Test(arguments: [
        ("https://127.0.0.1:8443", "plain http only"),
        ("udp://127.0.0.1:5060", "unsupported scheme 'udp'"),
        ("127.0.0.1:8080", "expected http://HOST:PORT"),
        ("http://127.0.0.1:8080/admin", "no path"),
        ("http://127.0.0.1:99999", "invalid port"),
        ("http://127.0.0.1:", "invalid port"),
        ("http://::1:8080", "IPv6 addresses need brackets"),
        ("http://:8080", "missing host"),
        ("http://user@127.0.0.1:8080", "no user info"),
    ])
    func refusesBadListenURLs(_ text: String, _ reason: String) {
        #expect {
            try AdminListenAddress(parsing: text)
        } throws: { error in
            guard case .invalidListenURL(let url, let why) = error as? AdminAPIError else { return false }
            return url == text && why.contains(reason)
        }
    }

    @Test func passwordGeneratorDrawsFromBase62WithTheAskedLength() {
        let generator = PasswordGenerator(length: 32)
        var seen = Set<Character>()
        for _ in 0..<200 {
            let password = generator.generate()
            #expect(password.count == 32)
            #expect(password.allSatisfy { PasswordGenerator.alphabet.contains($0) })
            seen.formUnion(password)
        }
        // 6,400 uniform draws over 62 symbols: missing one has probability ~ 62·(61/62)^6400 ≈ 0.
        #expect(seen.count == 62)
        #expect(PasswordGenerator.alphabet.count == 62)
        #expect(PasswordGenerator().length == 24)
        #expect(PasswordGenerator(length: 5).length == 20)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"),
        (Int64(1_700_000_000_000), "2023-11-14T22:13:20.000Z"),
        (Int64(4_102_444_799_999), "2099-12-31T23:59:59.999Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsISO8601(_ millis: Int64, _ expected: String) {
        #expect(ISO8601Time.format(SIPTimestamp(millisecondsSince1970: millis)) == expected)
    }

    @Test func tableAlignsColumnsAndNeutralisesControlCharacters() {
        let table = TextTable(headers: ["A", "LONGER"], rows: [["wide cell", "x"], ["y"], ["evil\u{1B}[2J", "z"]])
        #expect(
            table.render() == """
                A          LONGER
                wide cell  x
                y
                evil?[2J   z

                """)
    }

    @Test func registrationTableShowsDashesForUnknownValues() {
        let registration = AdminRegistration(
            aor: "sip:69@example.net", contact: "sip:69@192.0.2.1", expires: 42, instrument: "0000DEADBEEF", instance: nil, regId: nil,
            transport: "udp", source: "192.0.2.1:5060", userAgent: nil, q: 1, callId: "c", cseq: 1, path: [], connectionId: nil,
            localListener: "0.0.0.0:5060", expiresAt: "", registeredAt: "", updatedAt: "")
        let lines = TextTable.registrations([registration]).render().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("AOR "))
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true) == [
            "sip:69@example.net", "0000DEADBEEF", "sip:69@192.0.2.1", "42s", "udp", "192.0.2.1:5060", "-", "-", "-",
        ])
    }

    @Test func clientBuildsPercentEncodedURLs() throws {
        let client = try AdminClient(url: "http://127.0.0.1:9000/")
        #expect(client.url(path: ["v1", "users", "example.net", "a/b c"]) == "http://127.0.0.1:9000/v1/users/example.net/a%2Fb%20c")
        #expect(
            client.url(path: ["v1", "registrations"], query: [("aor", "sip:69@example.net"), ("instrument", nil)])
                == "http://127.0.0.1:9000/v1/registrations?aor=sip%3A69%40example.net")
        #expect(client.url(path: ["v1", "registrations"], query: [("aor", nil)]) == "http://127.0.0.1:9000/v1/registrations")
        #expect(AdminClient.percentEncode("~~in~x&y=1é") == "~~in~x%26y%3D1%C3%A9")
    }

    @Test func clientResolvesOptionThenEnvironmentThenDefault() {
        let environment = ["SWITCHBOARD_ADMIN": "http://127.0.0.1:9100"]
        #expect(AdminClient.resolveURL(option: "http://[::1]:1", environment: environment) == "http://[::1]:1")
        #expect(AdminClient.resolveURL(option: nil, environment: environment) == "http://127.0.0.1:9100")
        #expect(AdminClient.resolveURL(option: nil, environment: [:]) == "http://127.0.0.1:8080")
    }

    @Test func clientRefusesHTTPS() {
        #expect {
            try AdminClient(url: "https://127.0.0.1:8443")
        } throws: { error in
            guard case .invalidURL(_, let reason) = error as? AdminClientError else { return false }
            return reason.contains("plain http only")
        }
    }
}
