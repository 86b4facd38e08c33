import AdminAPI
import Foundation
import SIPAuth
import SIPCore
import SIPStorage
import SIPStorageSQLite
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// The notifier's metrics and `GET /v1/subscriptions` on a running server. In the serialized
/// operations suite: the metrics backend is one per process and its scrape-time gauges are
/// those of the last server started with it.
extension ServerOperationsTests {
    /// The value of one series in a Prometheus text exposition.
    static func value(_ series: String, in text: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) } ?? 0
    }

    /// `GET /metrics` over HTTP (polling loops read `SwitchboardMetrics.exposition()`, the same
    /// text, in process).
    static func scrape(_ server: RunningServer) async throws -> String {
        let (status, body) = try await withDeadline("admin API") { try await httpGet(port: server.adminPort, path: "/metrics") }
        #expect(status == 200)
        return String(decoding: body, as: UTF8.self)
    }

    @Test("After an http-monitor subscription: sip_notify_total sent and failed, switchboard_subscriptions_active, GET /v1/subscriptions")
    func notifierMetricsAndSubscriptions() async throws {
        let metrics = SwitchboardMetrics.bootstrap()
        try await RunningServer.with(metrics: metrics) { server in
            let app = server.application
            try await Self.addUsers(server, ["69", "70"])
            let mac = try #require(SIPInstrumentID("0000DEADBEEF"))
            try await app.store.addInstrument(
                InstrumentDefinition(id: mac, vendor: "yealink", lines: [LineDefinition(user: "69", domain: "example.net")]),
                now: SIPTimestamp.now())
            let sent = #"sip_notify_total{package="http-monitor",outcome="sent"}"#
            let failed = #"sip_notify_total{package="http-monitor",outcome="failed"}"#
            let before = try await Self.scrape(server)
            #expect(Self.value("switchboard_subscriptions_active", in: before) == 0)

            let uri = "sips:~~cf~0000DEADBEEF@example.net"
            try await withClient(.tls, to: try server.address(.tls)) { client in
                try await client.send(ServerHTTPMonitorTests.subscribe(client, uri: uri, cseq: 1))
                let challenge = try await client.inbox.nextFinalResponse()
                let header = try SIPAuthHeader(parsing: Substring(try #require(challenge.headers[.wwwAuthenticate])))
                let credentials = DigestClient.credentials(
                    answering: header, username: "69/0000DEADBEEF", password: "pw-69", method: "SUBSCRIBE", digestURI: uri,
                    nonceCount: 1, cnonce: "c1")
                try await client.send(ServerHTTPMonitorTests.subscribe(client, uri: uri, cseq: 2, authorization: credentials.description))
                var notify: SIPRequest?
                var ok: SIPResponse?
                while ok == nil || notify == nil {
                    switch try await client.inbox.next() {
                    case .response(let response): ok = response
                    case .request(let request): notify = request
                    }
                }
                #expect(ok?.statusCode == 200)
                try await client.send(ServerHTTPMonitorTests.ok(try #require(notify)))
                var text = ""
                try await Self.eventually("sip_notify_total sent") {
                    text = metrics.exposition()
                    return Self.value(sent, in: text) >= Self.value(sent, in: before) + 1
                }
                #expect(Self.value("switchboard_subscriptions_active", in: text) == 1)
                #expect(!text.contains("0000DEADBEEF") && !text.contains("~~cf~"), "no MAC or resource as a label")

                // A NOTIFY answered 500 is failed (the subscription stays: only 481/408 end it).
                try await app.store.addLine(LineDefinition(user: "70", domain: "example.net"), to: mac, now: SIPTimestamp.now())
                guard case .request(let second) = try await client.inbox.next(within: 5) else {
                    Issue.record("no NOTIFY after the change")
                    return
                }
                try await client.send(ServerHTTPMonitorTests.ok(second).replacingOccurrences(of: "200 OK", with: "500 Server Internal Error"))
                try await Self.eventually("sip_notify_total failed") {
                    text = metrics.exposition()
                    return Self.value(failed, in: text) >= Self.value(failed, in: before) + 1
                }

                let (status, body) = try await withDeadline("admin API") {
                    try await httpGet(port: server.adminPort, path: "/v1/subscriptions?instrument=00:00:de:ad:be:ef")
                }
                #expect(status == 200)
                let listed = try JSONDecoder().decode([AdminSubscription].self, from: Data(body))
                #expect(listed.count == 1)
                #expect(listed.first?.package == "http-monitor")
                #expect(listed.first?.subscriber == "69/0000DEADBEEF")
                #expect(listed.first?.transport == "tls")
                #expect(listed.first?.callId == "monitor-1")
                #expect(listed.first?.localCSeq == 2)
                #expect((listed.first?.expires ?? 0) > 3500)
                let (_, other) = try await withDeadline("admin API") {
                    try await httpGet(port: server.adminPort, path: "/v1/subscriptions?instrument=0000CAFEBABE")
                }
                #expect(String(decoding: other, as: UTF8.self) == "[]")
            }
        }
    }

    @Test("A vendor resync NOTIFY answered 200 counts sip_resync_total{vendor,outcome=sent}")
    func resyncMetrics() async throws {
        let metrics = SwitchboardMetrics.bootstrap()
        try await RunningServer.with(metrics: metrics, configure: { $0.events.resyncVendors = ["snom"] }) { server in
            let app = server.application
            try await Self.addUsers(server, ["72", "73"])
            let mac = try #require(SIPInstrumentID("0000DEADBEE3"))
            try await app.store.addInstrument(
                InstrumentDefinition(id: mac, vendor: "snom", lines: [LineDefinition(user: "72", domain: "example.net")]),
                now: SIPTimestamp.now())
            let series = #"sip_resync_total{vendor="snom",outcome="sent"}"#
            let before = Self.value(series, in: try await Self.scrape(server))
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let callID = "resync-72"
                try await client.send(Requests.register(client, user: "72", callID: callID, cseq: 1))
                let challenge = try #require(try await client.inbox.nextFinalResponse().wwwAuthenticates().first)
                let authorization = DigestClient.credentials(
                    answering: challenge, username: "72/0000DEADBEE3", password: "pw-72", method: "REGISTER",
                    digestURI: "sip:example.net", nonceCount: 1, cnonce: "0a1b2c3d"
                ).description
                try await client.send(Requests.register(client, user: "72", callID: callID, cseq: 2, authorization: authorization))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)

                try await app.store.addLine(LineDefinition(user: "73", domain: "example.net"), to: mac, now: SIPTimestamp.now())
                guard case .request(let notify) = try await client.inbox.next(within: 5) else {
                    Issue.record("no resync NOTIFY after the change")
                    return
                }
                #expect(notify.headers[.event] == "check-sync;reboot=false")
                try await client.send(ServerHTTPMonitorTests.ok(notify))
                var text = ""
                try await Self.eventually("sip_resync_total sent") {
                    text = metrics.exposition()
                    return Self.value(series, in: text) >= before + 1
                }
                #expect(!text.contains("0000DEADBEE3"), "no MAC as a label")
            }
        }
    }

    @Test("A MESSAGE forked to two bindings counts sip_proxy_forks_total and two sip_proxy_branches_total{outcome=2xx}")
    func proxyMetrics() async throws {
        let metrics = SwitchboardMetrics.bootstrap()
        try await RunningServer.with(metrics: metrics, configure: { $0.proxy.trustedPeers = ["127.0.0.1"] }) { server in
            try await Self.addUsers(server, ["74"])
            let forks = "sip_proxy_forks_total"
            let branches = #"sip_proxy_branches_total{outcome="2xx"}"#
            let before = metrics.exposition()
            try await withClient(.udp, to: try server.address(.udp)) { first in
                try await withClient(.udp, to: try server.address(.udp)) { second in
                    for (index, client) in [first, second].enumerated() {
                        let callID = "fork-74-\(index)"
                        try await client.send(Requests.register(client, user: "74", callID: callID, cseq: 1))
                        let challenge = try #require(try await client.inbox.nextFinalResponse().wwwAuthenticates().first)
                        let authorization = DigestClient.credentials(
                            answering: challenge, username: "74/0000DEADBEE4", password: "pw-74", method: "REGISTER",
                            digestURI: "sip:example.net", nonceCount: 1, cnonce: "0a1b2c3d"
                        ).description
                        try await client.send(
                            Requests.register(client, user: "74", callID: callID, cseq: 2, authorization: authorization))
                        #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
                    }
                    try await withClient(.udp, to: try server.address(.udp)) { sender in
                        try await sender.send(
                            SIPTestRequest(
                                .message, uri: "sip:74@example.net", via: [sender.via(branch: "z9hG4bK-fork-message")],
                                from: "<sip:peer@example.org>;tag=m1", to: "<sip:74@example.net>", callID: "fork-message",
                                headers: ["Content-Type: text/plain"], body: "hello"
                            ).text)
                        for client in [first, second] {
                            guard case .request(let message) = try await client.inbox.next(within: 5) else {
                                Issue.record("a branch got no MESSAGE")
                                return
                            }
                            try await client.send(ServerHTTPMonitorTests.ok(message))
                        }
                        #expect(try await sender.inbox.nextFinalResponse().statusCode == 200)
                    }
                    try await Self.eventually("both branches counted") {
                        Self.value(branches, in: metrics.exposition()) >= Self.value(branches, in: before) + 2
                    }
                    #expect(Self.value(forks, in: metrics.exposition()) >= Self.value(forks, in: before) + 1)
                }
            }
        }
    }
}
