import Foundation
import GRDB
import SIPAuth
import SIPCore
import SIPStorage
import SIPStorageSQLite
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// The request path of the running server: lockout wiring, store failures, ingress strictness and
/// pipelined TCP, over real sockets on loopback.
@Suite("Switchboard server: request pipeline", .serialized, .timeLimit(.minutes(2)))
struct ServerPipelineTests {
    static func authorization(_ challenge: SIPAuthHeader, username: String, password: String, nc: UInt32 = 1) -> String {
        DigestClient.credentials(
            answering: challenge, username: username, password: password, method: "REGISTER",
            digestURI: "sip:example.net", nonceCount: nc, cnonce: "5f3a9c0e"
        ).description
    }

    /// REGISTER → 401 → REGISTER with credentials for `password`; returns the second answer.
    static func register(
        _ client: SIPTestClient, user: String, password: String, callID: String
    ) async throws -> SIPResponse {
        try await client.send(Requests.register(client, user: user, callID: callID, cseq: 1))
        let challenge = try #require(try await client.inbox.nextFinalResponse().wwwAuthenticates().first)
        try await client.send(
            Requests.register(
                client, user: user, callID: callID, cseq: 2,
                authorization: authorization(challenge, username: "\(user)/0000DEADBEEF", password: password)))
        return try await client.inbox.nextFinalResponse()
    }

    @Test("Lockout is wired into the server: after maxFailures wrong passwords from one address → 403, even with the right one")
    func lockoutAtTheServer() async throws {
        try await RunningServer.with(configure: { $0.auth.lockoutMaxFailures = 3 }) { server in
            try await server.application.store.addUser(
                SIPUserCredential(user: "69", domain: "example.net", password: "right-pw"), now: SIPTimestamp.now())
            try await withClient(.udp, to: try server.address(.udp)) { client in
                for attempt in 1...2 {
                    let response = try await Self.register(client, user: "69", password: "wrong", callID: "lock-\(attempt)")
                    #expect(response.statusCode == 401, "failure \(attempt) is challenged again")
                }
                let third = try await Self.register(client, user: "69", password: "wrong", callID: "lock-3")
                #expect(third.statusCode == 403, "the third failure locks the address out")
                try await client.send(Requests.register(client, user: "69", callID: "lock-4", cseq: 1))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 403, "locked out before any challenge")
            }
        }
    }

    @Test("A store that cannot write: authenticated REGISTER → 503 with Retry-After, nothing bound; then 200 once it can")
    func storeFailureIs503() async throws {
        try await RunningServer.with { server in
            let application = server.application
            try await application.store.addUser(
                SIPUserCredential(user: "69", domain: "example.net", password: "pw"), now: SIPTimestamp.now())
            // Another connection to the same database makes every binding insert fail.
            let database = try DatabaseQueue(path: application.store.configuration.databasePath)
            try await database.write { db in
                try db.execute(sql: "CREATE TRIGGER fail_binding BEFORE INSERT ON binding BEGIN SELECT RAISE(ABORT, 'disk full'); END")
            }
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let refused = try await Self.register(client, user: "69", password: "pw", callID: "store-1")
                #expect(refused.statusCode == 503)
                #expect(refused.headers[.retryAfter] == "5")
                #expect(application.location.contacts(aor: "sip:69@example.net", now: SIPTimestamp.now()).isEmpty)
                try await database.write { db in try db.execute(sql: "DROP TRIGGER fail_binding") }
                let accepted = try await Self.register(client, user: "69", password: "pw", callID: "store-2")
                #expect(accepted.statusCode == 200)
                #expect(application.location.contacts(aor: "sip:69@example.net", now: SIPTimestamp.now()).count == 1)
            }
        }
    }

    static func options(_ client: SIPTestClient, callID: String, from: String, extra: [String] = [], omit: String? = nil) -> String {
        var lines = [
            "OPTIONS sip:example.net SIP/2.0",
            "Via: SIP/2.0/\(client.transport.rawValue) \(client.sentBy);branch=z9hG4bK-\(callID);rport",
            "Max-Forwards: 70",
            "From: \(from)",
            "To: <sip:example.net>",
            "Call-ID: \(callID)",
            "CSeq: 1 OPTIONS",
        ] + extra
        if let omit { lines.removeAll { $0.hasPrefix(omit + ":") } }
        lines += ["Content-Length: 0", "", ""]
        return lines.joined(separator: "\r\n")
    }

    @Test(
        "Malformed or missing essential headers → 400 naming the fault, whatever the method, over UDP and TCP",
        arguments: [SIPTransportProtocol.udp, .tcp])
    func ingressStrictness(transport: SIPTransportProtocol) async throws {
        try await RunningServer.with { server in
            try await withClient(transport, to: try server.address(transport)) { client in
                let cases: [(String, String, String)] = [
                    (Self.options(client, callID: "s1", from: "<sip:@example.net>;tag=1"), "s1", "From"),
                    (Self.options(client, callID: "s2", from: "<sip:a@example.net>;tag=1;tag=2"), "s2", "From"),
                    (Self.options(client, callID: "s4", from: "<sip:a@example.net>;tag=1", extra: ["Require: no-such-extension"]), "s4", ""),
                    // RFC 4475 §3.1.2.1 (badinv01): empty Contact parameters → 400, not 200 or 501.
                    (Self.options(client, callID: "s6", from: "<sip:a@example.net>;tag=1", extra: ["Contact: \"Joe\" <sip:joe@example.org>;;,;"]), "s6", "Contact"),
                    // The top Via with empty parameters: answered (to the source), not dropped.
                    (Self.options(client, callID: "s8", from: "<sip:a@example.net>;tag=1")
                        .replacingOccurrences(of: ";rport\r\n", with: ";;,;,,\r\n"), "s8", "Via"),
                    (Self.options(client, callID: "s3", from: "<sip:a@example.net>;tag=1", omit: "Call-ID"), "", "Call-ID"),
                    // Last: over UDP the INVITE's 400 is retransmitted until an ACK (none is sent).
                    (Self.options(client, callID: "s7", from: "<sip:a@example.net>;tag=1", extra: ["Contact: \"Joe\" <sip:joe@example.org>;;,;"])
                        .replacingOccurrences(of: "OPTIONS", with: "INVITE"), "s7", "Contact"),
                ]
                for (text, callID, names) in cases {
                    try await client.send(text)
                    if names == "Call-ID" {
                        // The 400 has no Call-ID either, so our own parser refuses it: read it raw.
                        let raw = try await client.inbox.nextUnparsable()
                        #expect(raw.hasPrefix("SIP/2.0 400 ") && raw.contains("Call-ID"), "\(raw)")
                        continue
                    }
                    let response = try await client.inbox.nextFinalResponse()
                    if names.isEmpty {
                        #expect(response.statusCode == 420, "\(text)")
                        #expect(response.headers[.unsupported] == "no-such-extension")
                    } else {
                        #expect(response.statusCode == 400, "\(text)")
                        #expect(response.reasonPhrase.contains(names), "\(response.reasonPhrase)")
                    }
                    if !callID.isEmpty { #expect(response.headers[.callID].map(String.init) == callID) }
                }
                // Still answering.
                try await client.send(Requests.options(client, callID: "s5"))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
            }
        }
    }

    @Test("A top Via of another SIP version (SIP/7.0) → 505, sent back to the packet's source (RFC 4475 §3.1.2.16 style)")
    func viaOfAnotherVersion() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let text = Self.options(client, callID: "v7", from: "<sip:a@example.net>;tag=1")
                    .replacingOccurrences(of: "Via: SIP/2.0/UDP", with: "Via: SIP/7.0/UDP")
                try await client.send(text)
                let response = try await client.inbox.nextFinalResponse()
                #expect(response.statusCode == 505)
                #expect(response.headers[.callID] == "v7")
            }
        }
    }

    @Test("Pipelined TCP: three requests in one write, a bad one in the middle, answered in order")
    func pipelinedTCP() async throws {
        try await RunningServer.with { server in
            try await withClient(.tcp, to: try server.address(.tcp)) { client in
                let good1 = Requests.options(client, callID: "p1")
                let bad = Self.options(client, callID: "p2", from: "<sip:@example.net>;tag=x")
                let good2 = Requests.options(client, callID: "p3")
                try await client.send(good1 + bad + good2)
                var answers: [(String, Int)] = []
                for _ in 0..<3 {
                    let response = try await client.inbox.nextFinalResponse()
                    answers.append((response.headers[.callID].map(String.init) ?? "", response.statusCode))
                }
                #expect(answers.map(\.0) == ["p1", "p2", "p3"])
                #expect(answers.map(\.1) == [200, 400, 200])
            }
        }
    }
}
