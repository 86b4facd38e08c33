import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import LogTap
import Logging
import NIOCore
import SIPCore
import SIPTestSupport
import Testing

@Suite("Admin API: logs, status, metrics, bearer token, user checks")
struct OperationsRoutesTests {
    static func record(_ message: String, _ metadata: Logger.Metadata) -> LogRecord {
        LogRecord(time: LogTimestamp(AdminFixture.start), level: .info, label: "switchboard.registrar", message: message, metadata: metadata)
    }

    @Test("GET /v1/logs without follow: the recent records the filter matches, as SSE data lines of JSON")
    func recentLogs() async throws {
        var fixture = AdminFixture()
        let tap = LogTap()
        fixture.operations = AdminOperations(logTap: tap)
        tap.publish(Self.record("register.ok", ["sip.instrument": "0000DEADBEEF", "sip.aor": "sip:69@example.net"]))
        tap.publish(Self.record("register.ok", ["sip.instrument": "0000DEADBEE1", "sip.aor": "sip:70@example.net"]))
        try await fixture.test { client in
            try await client.execute(uri: "/v1/logs?instrument=00-00-DE-AD-BE-EF", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                var parser = ServerSentEventParser()
                let events = parser.feed(Array(response.body.readableBytesView))
                #expect(events.count == 1)
                let record = try JSONDecoder().decode(AdminLogRecord.self, from: Data(try #require(events.first).data.utf8))
                #expect(record.meta?["sip.aor"] == "sip:69@example.net")
                #expect(record.msg == "register.ok")
            }
            try await client.execute(uri: "/v1/logs?aor=70", method: .get) { response in
                var parser = ServerSentEventParser()
                #expect(parser.feed(Array(response.body.readableBytesView)).count == 1, "aor 70 → sip:70@example.net")
            }
        }
    }

    @Test("Bad filters are 400 naming them", arguments: [
        ("/v1/logs?instrument=", "instrument: empty value"), ("/v1/logs?instrument=zz:zz:zz", "not a MAC address"),
        ("/v1/logs?method=RE%20GISTER", "not a SIP method"), ("/v1/logs?level=loud", "level"),
        ("/v1/logs?since=-5", "since"), ("/v1/logs?follow=maybe", "follow"),
        ("/v1/registrations?instrument=0000DEADBEE", "11 hex digits"), ("/v1/registrations?aor=", "aor: empty value"),
    ])
    func badFilters(_ uri: String, _ expected: String) async throws {
        try await AdminFixture().test { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains(expected) == true, "\(response.errorMessage ?? "")")
            }
        }
    }

    @Test("GET /v1/status: version, uptime from the clock, listeners and counts, log tap numbers")
    func status() async throws {
        var fixture = AdminFixture()
        fixture.operations = AdminOperations(
            version: "9.9.9",
            status: { AdminStatusDetails(listeners: [AdminListenerStatus(kind: "sip", url: "udp://127.0.0.1:5060")], counts: ["registrations": 3]) })
        let clock = fixture.clock
        try await fixture.test { client in
            clock.advance(by: .seconds(42))
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                let status = try response.decode(AdminServerStatus.self)
                #expect(status.version == "9.9.9")
                #expect(status.uptimeSeconds == 42)
                #expect(status.counts == ["registrations": 3])
                #expect(status.listeners.first?.url == "udp://127.0.0.1:5060")
                #expect(status.logs.subscribers == 0)
            }
        }
    }

    @Test("GET /metrics: the exposition when the server has a backend, else 404")
    func metrics() async throws {
        try await AdminFixture().test { client in
            try await client.execute(uri: "/metrics", method: .get) { response in #expect(response.status == .notFound) }
        }
        var fixture = AdminFixture()
        fixture.operations = AdminOperations(metrics: { "sip_register_total{outcome=\"register.ok\"} 1\n" })
        try await fixture.test { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body) == "sip_register_total{outcome=\"register.ok\"} 1\n")
            }
        }
    }

    @Test("With a bearer token every route needs it: none or a wrong one → 401 with WWW-Authenticate")
    func bearerToken() async throws {
        var fixture = AdminFixture()
        fixture.operations = AdminOperations(bearerToken: "s3cret-token")
        try await fixture.test { client in
            try await client.execute(uri: "/v1/health", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/v1/users", method: .get, headers: [.authorization: "Bearer wrong-token!"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/health", method: .get, headers: [.authorization: "Bearer s3cret-token"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("A listener beyond loopback without a token is refused at start; loopback needs none")
    func nonLoopbackNeedsToken() throws {
        let fixture = AdminFixture()
        func make(_ listen: String, token: String?) throws {
            _ = try AdminServer(
                listen: listen, credentials: fixture.credentials, locations: fixture.locations, provisioning: fixture.provisioning,
                domains: ["example.net"], operations: AdminOperations(bearerToken: token), logger: fixture.logs.logger)
        }
        #expect(throws: AdminAPIError.self) { try make("http://0.0.0.0:8080", token: nil) }
        #expect(throws: AdminAPIError.self) { try make("http://192.0.2.1:8080", token: nil) }
        try make("http://0.0.0.0:8080", token: "t")
        try make("http://127.0.0.1:8080", token: nil)
        try make("http://[::1]:8080", token: nil)
        try make("http://localhost:8080", token: nil)
    }

    @Test("user add for a domain the server does not serve is refused unless forced; user/MAC is explained")
    func userChecks() async throws {
        try await AdminFixture().test { client in
            try await client.execute(
                uri: "/v1/users", method: .post, body: ByteBuffer(string: #"{"user":"75","domain":"other.org","password":"x"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.errorMessage?.contains("does not serve other.org") == true)
            }
            try await client.execute(
                uri: "/v1/users", method: .post,
                body: ByteBuffer(string: #"{"user":"75","domain":"other.org","password":"x","force":true}"#)
            ) { response in #expect(response.status == .created) }
            try await client.execute(
                uri: "/v1/users", method: .post, body: ByteBuffer(string: #"{"user":"76/0000DEADBEEF","password":"x"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let message = try #require(response.errorMessage)
                #expect(message.contains("phone's login name") && message.contains("create user '76'"), "\(message)")
                #expect(!message.contains("U+2F"))
            }
        }
    }
}

@Suite("ServerSentEventParser")
struct ServerSentEventParserTests {
    @Test("Events split anywhere are reassembled; comments ignored; CRLF and LF alike; event names kept")
    func chunks() {
        let stream = ": hello\n\ndata: {\"a\":1}\n\nevent: dropped\r\ndata: {\"dropped\":3}\r\n\r\ndata: x\ndata: y\n\n"
        let bytes = Array(stream.utf8)
        for cut in [1, 2, 7, 13, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEventParser.Event] = []
            var offset = 0
            while offset < bytes.count {
                events += parser.feed(bytes[offset..<min(offset + cut, bytes.count)])
                offset += cut
            }
            #expect(events.map(\.name) == ["message", "dropped", "message"], "cut \(cut)")
            #expect(events.map(\.data) == ["{\"a\":1}", "{\"dropped\":3}", "x\ny"], "cut \(cut)")
        }
    }

    @Test("A line over the limit is dropped, the stream goes on")
    func longLine() {
        var parser = ServerSentEventParser(maxLineBytes: 8)
        let events = parser.feed(Array("data: 0123456789\n\ndata: ok\n\n".utf8))
        #expect(events.map(\.data) == ["ok"])
    }
}
