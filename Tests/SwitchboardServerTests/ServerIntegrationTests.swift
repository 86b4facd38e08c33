import AdminAPI
import Foundation
import NIOCore
import SIPAuth
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPStorageSQLite
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// The whole server on loopback sockets: transport, transaction layer, router, registrar,
/// SQLite store and admin API, configured as `switchboard serve` would be (RFC 3261 §11 OPTIONS,
/// §10 REGISTER with digest, §21.4 error answers).
@Suite("Switchboard server on loopback", .serialized, .timeLimit(.minutes(1)))
struct ServerIntegrationTests {
    @Test("OPTIONS over UDP, TCP and TLS on 127.0.0.1 and UDP on [::1] → 200 with Allow, Accept, Supported")
    func optionsOnEveryListener() async throws {
        try await RunningServer.with { server in
            #expect(server.listeners.count == 4)
            #expect(server.listeners.allSatisfy { $0.port != 0 })
            #expect(server.adminPort != 0)
            let targets: [(SIPTransportProtocol, Bool)] = [(.udp, false), (.tcp, false), (.tls, false), (.udp, true)]
            for (transport, ipv6) in targets {
                let address = try server.address(transport, ipv6: ipv6)
                try await withClient(transport, to: address) { client in
                    let callID = "options-\(transport)-\(ipv6 ? "v6" : "v4")"
                    try await client.send(Requests.options(client, callID: callID))
                    let response = try await client.inbox.nextFinalResponse()
                    #expect(response.statusCode == 200, "\(transport) ipv6=\(ipv6)")
                    #expect(response.callID.map(String.init) == callID)
                    let allow = try response.headers.values(.allow).map(String.init)
                    // Derived from the chain: the core methods, REGISTER, and what the proxy forwards.
                    #expect(
                        Set(allow) == [
                            "OPTIONS", "CANCEL", "ACK", "REGISTER", "INVITE", "BYE", "SUBSCRIBE", "NOTIFY", "MESSAGE",
                            "REFER", "INFO", "UPDATE", "PRACK", "PUBLISH",
                        ])
                    #expect(response.headers[.allowEvents].map(String.init) == "http-monitor")
                    // An empty Accept: no body type is accepted (RFC 3261 §20.1).
                    #expect(response.headers[.accept].map(String.init) == "")
                    #expect(Set(try response.supported) == ["path", "outbound"])
                    let via = try response.topVia
                    #expect(via.branch == "z9hG4bK-\(callID)")
                    if transport == .udp {
                        #expect(via.received == client.channel.localAddress?.ipAddress)
                        #expect(via.rport == client.channel.localAddress?.port)
                    }
                }
            }
        }
    }

    @Test("OPTIONS to a user is proxied to that user's phones (RFC 3261 §11): registered → the phone answers; unknown → 404")
    func optionsToAUserIsProxied() async throws {
        try await RunningServer.with { server in
            try await server.application.store.addUser(
                SIPUserCredential(user: "78", domain: "example.net", password: "pw-78"), now: SIPTimestamp.now())
            try await withClient(.udp, to: try server.address(.udp)) { phone in
                try await phone.send(Requests.register(phone, user: "78", callID: "options-user-reg", cseq: 1))
                let challenge = try #require(try await phone.inbox.nextFinalResponse().wwwAuthenticates().first)
                let authorization = DigestClient.credentials(
                    answering: challenge, username: "78/0000DEADBEE8", password: "pw-78", method: "REGISTER",
                    digestURI: "sip:example.net", nonceCount: 1, cnonce: "0a1b2c3d"
                ).description
                try await phone.send(
                    Requests.register(phone, user: "78", callID: "options-user-reg", cseq: 2, authorization: authorization))
                #expect(try await phone.inbox.nextFinalResponse().statusCode == 200)
                try await withClient(.udp, to: try server.address(.udp)) { client in
                    try await client.send(Requests.options(client, callID: "options-user", uri: "sip:78@example.net"))
                    guard case .request(let forwarded) = try await phone.inbox.next(within: 5) else {
                        Issue.record("the phone got no OPTIONS")
                        return
                    }
                    #expect(forwarded.method == .options)
                    var ok = "SIP/2.0 200 OK\r\n"
                    for name in [SIPHeaderName.via, .from, .to, .callID, .cseq] {
                        for field in forwarded.headers.all(name) { ok += "\(field.name.canonical): \(field.value)\r\n" }
                    }
                    try await phone.send(ok + "Server: TestPhone\r\nContent-Length: 0\r\n\r\n")
                    let answer = try await client.inbox.nextFinalResponse()
                    #expect(answer.statusCode == 200)
                    #expect(answer.headers[.server] == "TestPhone", "the phone's answer, not ours")

                    try await client.send(Requests.options(client, callID: "options-nobody", uri: "sip:nobody@example.net"))
                    #expect(try await client.inbox.nextFinalResponse().statusCode == 404)
                    try await client.send(Requests.options(client, callID: "options-server"))
                    #expect(try await client.inbox.nextFinalResponse().headers[.server]?.hasPrefix("Switchboard") == true)
                }
            }
        }
    }

    @Test("REGISTER with digest over UDP for a user added to the store → 200; binding in location, store and admin API")
    func registerOverUDP() async throws {
        try await RunningServer.with { server in
            let application = server.application
            try await application.store.addUser(
                SIPUserCredential(user: "69", domain: "example.net", password: "pw-69-server"), now: SIPTimestamp.now())
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let callID = "register-udp-1"
                try await client.send(Requests.register(client, user: "69", callID: callID, cseq: 1))
                let challenge401 = try await client.inbox.nextFinalResponse()
                #expect(challenge401.statusCode == 401)
                let challenges = try challenge401.wwwAuthenticates()
                #expect(challenges.map(\.algorithm) == ["MD5"], "default auth.algorithms: MD5 alone")
                let challenge = try #require(challenges.first)

                let authorization = Self.authorization(
                    challenge, username: "69/00:00:de:ad:be:ef", password: "pw-69-server", uri: "sip:example.net")
                try await client.send(
                    Requests.register(client, user: "69", callID: callID, cseq: 2, authorization: authorization))
                let ok = try await client.inbox.nextFinalResponse()
                #expect(ok.statusCode == 200, "\(ok)")
                let contact = try #require(try ok.contacts().contacts.first)
                #expect(contact.uri.description == "sip:69@\(client.sentBy)")
                #expect(contact.expires == 600)
                #expect(ok.headers.contains(.date))

                let now = SIPTimestamp.now()
                let bindings = application.location.contacts(aor: "sip:69@example.net", now: now)
                #expect(bindings.count == 1)
                let binding = try #require(bindings.first)
                #expect(binding.instrument?.value == "0000DEADBEEF")
                #expect(binding.transport == "udp")
                #expect(binding.source == client.sentBy)
                #expect(binding.callID == callID && binding.cseq == 2)

                // Durable: the 200 came after the commit.
                #expect(try await application.store.bindings(aor: "sip:69@example.net", at: now) == bindings)

                let (status, body) = try await withDeadline("admin API") {
                    try await httpGet(port: server.adminPort, path: "/v1/registrations?instrument=0000deadbeef")
                }
                #expect(status == 200)
                let listed = try JSONDecoder().decode([AdminRegistration].self, from: Data(body))
                #expect(listed.map(\.aor) == ["sip:69@example.net"])
                #expect(listed.first?.instrument == "0000DEADBEEF")
            }
        }
    }

    @Test("auth.algorithms [SHA-256, MD5]: the 401 offers SHA-256 first, then MD5; a SHA-256 answer registers (RFC 8760)")
    func registerWithSHA256WhenConfigured() async throws {
        try await RunningServer.with(configure: { $0.auth.algorithms = ["SHA-256", "MD5"] }) { server in
            try await server.application.store.addUser(
                SIPUserCredential(user: "70", domain: "example.net", password: "pw-70-sha"), now: SIPTimestamp.now())
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let callID = "register-sha256-1"
                try await client.send(Requests.register(client, user: "70", callID: callID, cseq: 1))
                let challenge401 = try await client.inbox.nextFinalResponse()
                #expect(challenge401.statusCode == 401)
                let challenges = try challenge401.wwwAuthenticates()
                #expect(challenges.map(\.algorithm) == ["SHA-256", "MD5"])
                let sha256 = try #require(challenges.first { $0.algorithm == "SHA-256" })
                let authorization = Self.authorization(
                    sha256, username: "70/0000DEADBEEF", password: "pw-70-sha", uri: "sip:example.net")
                #expect(authorization.contains("algorithm=SHA-256"))
                try await client.send(
                    Requests.register(client, user: "70", callID: callID, cseq: 2, authorization: authorization))
                let ok = try await client.inbox.nextFinalResponse()
                #expect(ok.statusCode == 200, "\(ok)")
                #expect(server.application.location.contacts(aor: "sip:70@example.net", now: SIPTimestamp.now()).count == 1)
            }
        }
    }

    @Test("A REGISTER whose CSeq names another method, over UDP → 400 whose reason phrase says what is wrong")
    func badRequest() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let text = [
                    "REGISTER sip:example.net SIP/2.0",
                    "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-bad-1;rport",
                    "Max-Forwards: 70",
                    "From: <sip:69@example.net>;tag=bad",
                    "To: <sip:69@example.net>",
                    "Call-ID: bad-request-1",
                    "CSeq: 1 INVITE",
                    "Content-Length: 0",
                    "", "",
                ].joined(separator: "\r\n")
                // What the server's own parser says about it, as the expected reason phrase.
                let expected: SIPParseError
                do throws(SIPParseError) {
                    _ = try SIPMessageParser().parse(Array(text.utf8), framing: .datagram)
                    Issue.record("the request should not parse")
                    return
                } catch { expected = error }
                #expect(expected.isAnswerable)

                try await client.send(text)
                let response = try await client.inbox.nextFinalResponse()
                #expect(response.statusCode == 400)
                #expect(response.reasonPhrase == expected.reason)
                #expect(response.reasonPhrase.contains("CSeq"))
                #expect(response.headers[.callID].map(String.init) == "bad-request-1")
                #expect(try response.topVia.branch == "z9hG4bK-bad-1")
            }
        }
    }

    @Test("Garbage gets no answer and the server keeps answering")
    func garbage() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                try await client.send(bytes: [0x00, 0xFF, 0x13, 0x37] + Array("not sip at all\r\n\r\n".utf8))
                try await client.send("\u{1}\u{2}HELLO\r\nthere\r\n\r\n")
                try await client.send(bytes: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) })
                // Datagrams from one socket are handled in order: had the garbage been answered,
                // those answers would arrive before this one.
                try await client.send(Requests.options(client, callID: "after-garbage"))
                let first = try await client.inbox.next()
                #expect(first.response?.statusCode == 200)
                #expect(first.headers[.callID].map(String.init) == "after-garbage")
                #expect(client.inbox.count == 0 && client.inbox.unparsableCount == 0)
            }
            // Over TCP too, a fresh connection is served.
            try await withClient(.tcp, to: try server.address(.tcp)) { client in
                try await client.send(Requests.options(client, callID: "after-garbage-tcp"))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
            }
        }
    }

    @Test("INVITE from one of our users without credentials → 407 with Proxy-Authenticate (RFC 3261 §22.3), ACKed")
    func inviteChallenged() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let branch = "z9hG4bK-invite-1"
                let common = [
                    "Via: SIP/2.0/UDP \(client.sentBy);branch=\(branch);rport",
                    "Max-Forwards: 70",
                    "From: <sip:69@example.net>;tag=inv1",
                ]
                let invite = (["INVITE sip:70@example.net SIP/2.0"] + common + [
                    "To: <sip:70@example.net>", "Call-ID: invite-1", "CSeq: 1 INVITE",
                    "Contact: <sip:69@\(client.sentBy)>", "Content-Length: 0", "", "",
                ]).joined(separator: "\r\n")
                try await client.send(invite)
                let response = try await client.inbox.nextFinalResponse()
                #expect(response.statusCode == 407)
                #expect(response.headers.contains(.proxyAuthenticate))
                #expect(try response.cseq.method == .invite)

                // ACK the final response (RFC 3261 §17.1.1.3) so the server stops retransmitting it.
                let toWithTag = try #require(response.headers[.to].map(String.init))
                let ack = (["ACK sip:70@example.net SIP/2.0"] + common + [
                    "To: \(toWithTag)", "Call-ID: invite-1", "CSeq: 1 ACK", "Content-Length: 0", "", "",
                ]).joined(separator: "\r\n")
                try await client.send(ack)
                try await client.send(Requests.options(client, callID: "after-invite"))
                let next = try await client.inbox.nextFinalResponse()
                #expect(next.headers[.callID].map(String.init) == "after-invite", "the ACK got no answer")
            }
        }
    }

    @Test("Max-Forwards 0: OPTIONS for a foreign domain → 200 (RFC 3261 §11, §16.3), MESSAGE → 483 Too Many Hops; Max-Forwards 70 → 403 (no open relay)")
    func maxForwardsZero() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                func request(_ method: String, _ callID: String, maxForwards: Int) -> String {
                    [
                        "\(method) sip:bob@elsewhere.example SIP/2.0",
                        "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-\(callID);rport",
                        "Max-Forwards: \(maxForwards)", "From: <sip:tester@example.net>;tag=mf",
                        "To: <sip:bob@elsewhere.example>", "Call-ID: \(callID)", "CSeq: 1 \(method)",
                        "Content-Length: 0", "", "",
                    ].joined(separator: "\r\n")
                }
                try await client.send(request("OPTIONS", "mf-options-0", maxForwards: 0))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
                try await client.send(request("OPTIONS", "mf-options-70", maxForwards: 70))
                #expect(
                    try await client.inbox.nextFinalResponse().statusCode == 403,
                    "a foreign domain: no relaying for an unauthenticated source")
                try await client.send(request("MESSAGE", "mf-message-0", maxForwards: 0))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 483)
            }
        }
    }

    @Test("CANCEL that matches no INVITE → 481 (RFC 3261 §9.2)")
    func cancelWithoutInvite() async throws {
        try await RunningServer.with { server in
            try await withClient(.udp, to: try server.address(.udp)) { client in
                let cancel = [
                    "CANCEL sip:70@example.net SIP/2.0",
                    "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-no-such-invite;rport",
                    "Max-Forwards: 70", "From: <sip:69@example.net>;tag=c1", "To: <sip:70@example.net>",
                    "Call-ID: cancel-1", "CSeq: 1 CANCEL", "Content-Length: 0", "", "",
                ].joined(separator: "\r\n")
                try await client.send(cancel)
                let response = try await client.inbox.nextFinalResponse()
                #expect(response.statusCode == 481)
                #expect(try response.cseq.method == .cancel)
            }
        }
    }

    @Test("Cancelling the task that runs the server stops it (run() returns)")
    func cancellationStops() async throws {
        try await RunningServer.with(stop: .cancel) { server in
            try await withClient(.tcp, to: try server.address(.tcp)) { client in
                try await client.send(Requests.options(client, callID: "before-cancel"))
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
            }
        }
    }

    /// The Authorization value answering `challenge` (RFC 7616 §3.4), as a phone computes it.
    static func authorization(_ challenge: SIPAuthHeader, username: String, password: String, uri: String) -> String {
        DigestClient.credentials(
            answering: challenge, username: username, password: password, method: "REGISTER", digestURI: uri,
            nonceCount: 1, cnonce: "5f3a9c0e"
        ).description
    }
}
