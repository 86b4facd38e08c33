import AdminAPI
import Foundation
import LogTap
import SIPAuth
import SIPCore
import SIPStorage
import SIPStorageSQLite
import SIPTestSupport
import SIPTransport
import Synchronization
import SwitchboardServer
import Testing

/// What operators use on a running server: `GET /v1/logs` filtered by instrument, `/metrics`,
/// `/v1/status`, over real sockets on loopback.
@Suite("Switchboard server: operations (logs, metrics, status)", .serialized, .timeLimit(.minutes(2)))
struct ServerOperationsTests {
    /// Registers `user` as `user/instrument` (401, then 200).
    static func register(_ server: RunningServer, user: String, instrument: String, password: String) async throws {
        try await withClient(.udp, to: try server.address(.udp)) { client in
            let callID = "ops-\(user)-\(instrument)"
            try await client.send(Requests.register(client, user: user, callID: callID, cseq: 1))
            let challenge = try #require(try await client.inbox.nextFinalResponse().wwwAuthenticates().first)
            let authorization = DigestClient.credentials(
                answering: challenge, username: "\(user)/\(instrument)", password: password, method: "REGISTER",
                digestURI: "sip:example.net", nonceCount: 1, cnonce: "0a1b2c3d"
            ).description
            try await client.send(Requests.register(client, user: user, callID: callID, cseq: 2, authorization: authorization))
            let ok = try await client.inbox.nextFinalResponse()
            #expect(ok.statusCode == 200, "\(ok)")
        }
    }

    static func addUsers(_ server: RunningServer, _ users: [String]) async throws {
        for user in users {
            try await server.application.store.addUser(
                SIPUserCredential(user: user, domain: "example.net", password: "pw-\(user)"), now: SIPTimestamp.now())
        }
    }

    /// Polls `condition` until it holds, at most `seconds` (for asynchronous arrival, not timing).
    static func eventually(_ what: String, seconds: Double = 10, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("A logs stream filtered by instrument (spelled 00:00:de:ad:be:ef) gets 69/0000DEADBEEF's register.ok, not another phone's")
    func logsStreamFollowsOnePhone() async throws {
        try await RunningServer.with { server in
            try await Self.addUsers(server, ["69", "70"])
            let client = try AdminClient(url: "http://127.0.0.1:\(server.adminPort)")
            let received = Mutex<[AdminLogRecord]>([])
            let reader = Task {
                for try await event in client.logs(AdminLogQuery(instrument: "00:00:de:ad:be:ef", follow: true)) {
                    if case .record(let record, _) = event { received.withLock { $0.append(record) } }
                }
            }
            defer { reader.cancel() }
            try await Self.eventually("the reader to subscribe") { server.application.logTap.statistics.subscribers == 1 }

            // Another phone first: everything it causes is published before 69's events.
            try await Self.register(server, user: "70", instrument: "0000DEADBEE1", password: "pw-70")
            try await Self.register(server, user: "69", instrument: "0000DEADBEEF", password: "pw-69")
            try await Self.eventually("register.ok of 0000DEADBEEF on the stream") {
                received.withLock { $0.contains { $0.msg == "register.ok" } }
            }
            let records = received.withLock { $0 }
            let ok = try #require(records.first { $0.msg == "register.ok" })
            #expect(ok.meta?["sip.instrument"] == "0000DEADBEEF")
            #expect(ok.meta?["sip.aor"] == "sip:69@example.net")
            #expect(ok.meta?["sip.method"] == "REGISTER")
            #expect(ok.meta?["sip.transport"] == "udp")
            #expect(ok.meta?["sip.call_id"] == "ops-69-0000DEADBEEF")
            for record in records {
                let instrument = record.meta?["sip.instrument"] ?? record.meta?["instrument"]
                #expect(instrument == "0000DEADBEEF", "only the followed phone's records: \(record)")
            }

            // The other phone's events are in the recent records, for a reader who asks for them.
            var replayed: [AdminLogRecord] = []
            for try await event in client.logs(AdminLogQuery(instrument: "0000deadbee1")) {
                if case .record(let record, _) = event { replayed.append(record) }
            }
            #expect(replayed.contains { $0.msg == "register.ok" && $0.meta?["sip.aor"] == "sip:70@example.net" })
            #expect(replayed.allSatisfy { $0.meta?["sip.instrument"] == "0000DEADBEE1" })
        }
    }

    @Test("A bad logs filter is a 400 naming it; the stream is not opened")
    func badLogFilters() async throws {
        try await RunningServer.with { server in
            for (path, expected) in [
                ("/v1/logs?instrument=zz:zz:zz", "not a MAC address"), ("/v1/logs?instrument=0000DEADBEE", "11 hex digits"),
                ("/v1/logs?aor=", "empty value"), ("/v1/logs?level=loud", "level"), ("/v1/logs?since=ten", "since"),
                ("/v1/registrations?instrument=", "empty value"),
            ] {
                let (status, body) = try await withDeadline("admin API") { try await httpGet(port: server.adminPort, path: path) }
                #expect(status == 400, "\(path)")
                #expect(String(decoding: body, as: UTF8.self).contains(expected), "\(path): \(String(decoding: body, as: UTF8.self))")
            }
            #expect(server.application.logTap.statistics.subscribers == 0)
        }
    }

    @Test("GET /metrics: Prometheus text with the registration, transaction, store and transport counters after a REGISTER")
    func metricsScrape() async throws {
        let metrics = SwitchboardMetrics.bootstrap()
        try await RunningServer.with(metrics: metrics) { server in
            try await Self.addUsers(server, ["71"])
            try await Self.register(server, user: "71", instrument: "0000DEADBEE2", password: "pw-71")
            let (status, body) = try await withDeadline("admin API") { try await httpGet(port: server.adminPort, path: "/metrics") }
            #expect(status == 200)
            let text = String(decoding: body, as: UTF8.self)
            func value(_ series: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
            }
            #expect((value(#"sip_register_total{outcome="register.ok"}"#) ?? 0) >= 1, "\(text.prefix(3000))")
            #expect((value(#"sip_register_total{outcome="register.challenge"}"#) ?? 0) >= 1)
            #expect((value(#"sip_transactions_total{side="server",method="REGISTER"}"#) ?? 0) >= 2)
            #expect((value(#"sip_responses_sent_total{class="2xx"}"#) ?? 0) >= 1)
            #expect((value(#"sip_responses_sent_total{class="4xx"}"#) ?? 0) >= 1)
            #expect((value("switchboard_store_commit_duration_seconds_count") ?? 0) >= 1)
            #expect(value("switchboard_registrations_active") == 1, "this server holds one binding")
            #expect(text.contains("sip_transport_connections_open"))
            #expect(!text.contains("0000DEADBEE2") && !text.contains("sip:71@"), "no MAC or AOR as a label")

            let (statusCode, statusBody) = try await withDeadline("admin API") {
                try await httpGet(port: server.adminPort, path: "/v1/status")
            }
            #expect(statusCode == 200)
            let serverStatus = try JSONDecoder().decode(AdminServerStatus.self, from: Data(statusBody))
            #expect(serverStatus.counts["registrations"] == 1)
            #expect(serverStatus.listeners.contains { $0.kind == "sip" && $0.url.hasPrefix("udp://127.0.0.1:") })
            #expect(serverStatus.listeners.contains { $0.kind == "admin" })
        }
    }
}
