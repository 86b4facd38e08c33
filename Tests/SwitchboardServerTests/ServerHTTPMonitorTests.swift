import Foundation
import Provisioning
import SIPEvents
import SIPAuth
import SIPCore
import SIPStorage
import SIPStorageSQLite
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// http-monitor on the whole server over TLS, the default and only way for `sips:` monitor URIs:
/// the phone's line subscribes to `sips:~~cf~MAC@domain`, gets the ETag of its configuration,
/// and a NOTIFY with the new ETag when a line is added.
@Suite("Server: http-monitor over TLS")
struct ServerHTTPMonitorTests {
    @Test("SUBSCRIBE over TLS → 401, 200, NOTIFY with the HEAD of the configuration; a change → NOTIFY; over UDP → 403")
    func subscribeOverTLS() async throws {
        try await RunningServer.with { server in
            let app = server.application
            let now = SIPTimestamp.now()
            for user in ["69", "70"] {
                try await app.store.addUser(SIPUserCredential(user: user, domain: "example.net", password: "pw\(user)"), now: now)
            }
            let mac = try #require(SIPInstrumentID("0000DEADBEEF"))
            try await app.store.addInstrument(
                InstrumentDefinition(id: mac, vendor: "yealink", lines: [LineDefinition(user: "69", domain: "example.net")]),
                now: now)
            let uri = "sips:~~cf~0000DEADBEEF@example.net"
            let head = try #require(await app.provisioning?.responder.head(of: mac))

            try await withClient(.udp, to: try server.address(.udp)) { client in
                try await client.send(Self.subscribe(client, uri: "sip:~~cf~0000DEADBEEF@example.net", cseq: 1))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 403)
            }
            try await withClient(.tls, to: try server.address(.tls)) { client in
                try await client.send(Self.subscribe(client, uri: uri, cseq: 1))
                let challenge = try await client.inbox.nextFinalResponse()
                #expect(challenge.statusCode == 401)
                let header = try SIPAuthHeader(parsing: Substring(try #require(challenge.headers[.wwwAuthenticate])))
                let credentials = DigestClient.credentials(
                    answering: header, username: "69/0000DEADBEEF", password: "pw69", method: "SUBSCRIBE", digestURI: uri,
                    nonceCount: 1, cnonce: "c1")
                try await client.send(Self.subscribe(client, uri: uri, cseq: 2, authorization: credentials.description))
                var notifies: [SIPRequest] = []
                var ok: SIPResponse?
                while ok == nil || notifies.isEmpty {
                    switch try await client.inbox.next() {
                    case .response(let response): ok = response
                    case .request(let request): notifies.append(request)
                    }
                }
                #expect(ok?.statusCode == 200)
                #expect(client.inbox.unparsableCount == 0)
                let first = try #require(notifies.first)
                #expect(first.method == .notify)
                #expect(first.headers[.contentType] == "message/http")
                #expect(String(decoding: first.body, as: UTF8.self) == String(decoding: head.messageHTTP, as: UTF8.self))
                try await client.send(Self.ok(first))

                try await app.store.addLine(LineDefinition(user: "70", domain: "example.net"), to: mac, now: SIPTimestamp.now())
                guard case .request(let second) = try await client.inbox.next(within: 5) else {
                    Issue.record("no NOTIFY after the change")
                    return
                }
                let newHead = try #require(await app.provisioning?.responder.head(of: mac))
                #expect(newHead.entityTag != head.entityTag)
                #expect(String(decoding: second.body, as: UTF8.self).contains("ETag: \(newHead.entityTag)\r\n"))
                #expect(second.headers[.cseq] == "2 NOTIFY")
                try await client.send(Self.ok(second))
            }
        }
    }

    static func subscribe(_ client: SIPTestClient, uri: String, cseq: UInt32, authorization: String? = nil) -> String {
        SIPTestRequest(
            .subscribe, uri: uri, via: [client.via(branch: "z9hG4bK-monitor-\(cseq)")], from: "<sip:69@example.net>;tag=w1",
            to: "<\(uri)>", callID: "monitor-1", cseq: cseq, contacts: ["<sip:69@\(client.sentBy);transport=\(client.transport)>"],
            expires: 3600, headers: ["Event: http-monitor", "Accept: message/http"], authorization: authorization
        ).text
    }

    /// The 200 a phone answers a NOTIFY with.
    static func ok(_ request: SIPRequest) -> String {
        var text = "SIP/2.0 200 OK\r\n"
        for name in [SIPHeaderName.via, .from, .to, .callID, .cseq] {
            for field in request.headers.all(name) { text += "\(field.name.canonical): \(field.value)\r\n" }
        }
        return text + "Content-Length: 0\r\n\r\n"
    }
}
