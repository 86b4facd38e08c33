import SIPCore
import SIPProxy
import SIPStorage
import SIPTestSupport
import SIPTransaction
import SIPTransport
import Testing

/// Target resolution and forking through the whole proxy chain (RFC 3261 §16.5–16.7;
/// draft-worley-instrument-identification §2–3), from a trusted peer so that authentication
/// stays out of the way (it has its own tests).
@Suite("Forking: ~~in~MAC, ~~in~USER&MAC, AOR q groups, 404/480")
struct ForkingTests {
    static let trusted: @Sendable (inout ProxyAuthPolicy) -> Void = { $0.trustedPeers = ["203.0.113.5"] }
    static let phone = [
        ProxyHarness.line("69", index: 0), ProxyHarness.line("70", index: 1),
        ProxyHarness.line("71", index: 2, instrument: "0004F2ABCDEF"),
    ]

    static func flow(_ index: Int) throws -> SIPSource {
        try makeSource(host: "198.51.100.\(index + 1)", port: 5060)
    }

    @Test("~~in~MAC: every line of the phone, in parallel, over their flows; one 2xx upstream")
    func instrumentFork() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.phone)
        try proxy.receive(ProxyHarness.subscribe("sip:~~in~00-00-de-ad-be-ef@example.net"))
        let sent = proxy.forwarded
        #expect(sent.map(\.request.uri.description).sorted() == ["sip:69@10.0.0.1:5060", "sip:70@10.0.0.2:5060"])
        #expect(sent.map { $0.destination.address.sipHostPort }.sorted() == ["198.51.100.1:5060", "198.51.100.2:5060"])
        for (request, _) in sent {
            let via = try request.topVia
            #expect(via.host == "192.0.2.1" && via.port == 5060)
            #expect(via.branch?.hasPrefix("z9hG4bKsb") == true)
            #expect(request.headers[.maxForwards] == "69")
            let recordRoute = try #require(try request.recordRoutes().first)
            #expect(recordRoute.uri.host == "192.0.2.1" && recordRoute.uri.isLooseRouter)
            #expect(recordRoute.uri.user?.hasPrefix(FlowToken.userPrefix) == true)
        }
        proxy.answer(sent[0].request, 200, toTag: "a", from: try Self.flow(0))
        proxy.answer(sent[1].request, 200, toTag: "b", from: try Self.flow(1))
        let upstream = proxy.upstream.filter(\.isFinal)
        #expect(upstream.map(\.statusCode) == [200], "the second 2xx is absorbed (RFC 6665 §4.1.2.4)")
        #expect(try upstream[0].vias().count == 1, "our Via removed")
        #expect(try upstream[0].topVia.branch == "z9hG4bK-w1")
    }

    @Test("Content-Length added when a UDP peer left it out: the other side may be a stream (RFC 3261 §18.3)")
    func contentLengthAcrossTransports() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.phone)
        let subscribe = ProxyHarness.subscribe("sip:~~in~0000DEADBEEF@example.net")
            .split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Content-Length") }.joined(separator: "\r\n")
        try proxy.receive(subscribe, from: ProxyHarness.caller(.tls))
        let sent = proxy.forwarded
        #expect(sent.count == 2)
        // On a stream (the transports write `serialized(forStream: true)`): exactly one, 0.
        func lengths(_ wire: [UInt8]) -> [Substring] {
            String(decoding: wire, as: UTF8.self).split(separator: "\r\n").filter { $0.hasPrefix("Content-Length:") }
        }
        for (request, _) in sent { #expect(lengths(request.serialized(forStream: true)) == ["Content-Length: 0"]) }
        var response = SIPResponse(answering: sent[0].request, statusCode: 200, toTag: "a")
        response.headers.removeAll(.contentLength)   // as liblinphone sends it over UDP
        response.headers.append(.contact, "<\(sent[0].request.uri)>")
        proxy.layer.receive(SIPIncomingMessage(message: .response(response), source: try Self.flow(0)))
        let finals = proxy.upstream.filter(\.isFinal)
        let upstream = try #require(finals.first)
        #expect(lengths(upstream.serialized(forStream: true)) == ["Content-Length: 0"])
        #expect(String(decoding: upstream.serialized(forStream: true), as: UTF8.self).contains("\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test("Which way to a binding: TCP connection and UDP behind NAT or with reg-id → its flow; else its Contact")
    func flowOrContact() throws {
        func hop(_ binding: Binding) -> String {
            switch ProxyTarget(binding: binding)?.nextHop {
            case .flow(let destination)?: "flow \(destination.address.sipHostPort)"
            case .uri(let uri)?: "uri \(uri)"
            case nil: "none"
            }
        }
        let natted = ProxyHarness.line("69", index: 0)
        #expect(hop(natted) == "flow 198.51.100.1:5060", "private Contact, public source: the NAT mapping")
        let reachable = makeBinding(
            contact: "sip:69@203.0.113.9:5070", path: [], source: "203.0.113.9:40000", transport: "udp")
        #expect(hop(reachable) == "uri sip:69@203.0.113.9:5070", "a public Contact is used as registered")
        var outbound = reachable
        outbound.regID = 1
        #expect(hop(outbound) == "flow 203.0.113.9:40000", "RFC 5626 outbound: the flow")
        let tcp = makeBinding(contact: "sip:69@203.0.113.9:5070;transport=tcp", path: [], source: "203.0.113.9:40001", connectionID: 7)
        #expect(hop(tcp) == "flow 203.0.113.9:40001")
        let behindEdge = makeBinding(contact: "sip:69@10.0.0.5", path: ["<sip:192.0.2.200;lr>"], source: "192.0.2.200:5060", transport: "udp")
        #expect(hop(behindEdge) == "uri sip:192.0.2.200;lr", "a Path: through its first hop")
    }

    @Test("~~in~USER&MAC: only that user's line of the phone (split at the last &)")
    func lineAppearance() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.phone)
        try proxy.receive(ProxyHarness.subscribe("sip:~~in~69%260000DEADBEEF@example.net"))
        #expect(proxy.forwarded.map(\.request.uri.description) == ["sip:69@10.0.0.1:5060"])
    }

    @Test("sip:user@domain: highest q in parallel, the next group after it failed (§16.6)")
    func qGroups() async throws {
        let bindings = [
            ProxyHarness.line("69", index: 0, q: 500), ProxyHarness.line("69", index: 1, q: 1000),
            ProxyHarness.line("69", index: 2, q: 1000),
        ]
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: bindings)
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:69@example.net"))
        let first = proxy.forwarded
        #expect(first.map(\.request.uri.description).sorted() == ["sip:69@10.0.0.2:5060", "sip:69@10.0.0.3:5060"])
        proxy.answer(first[0].request, 486, from: try Self.flow(1))
        #expect(proxy.forwarded.count == 2, "the q=0.5 group waits for the whole first group")
        proxy.answer(first[1].request, 480, from: try Self.flow(2))
        #expect(proxy.forwarded.count == 3)
        #expect(proxy.forwarded[2].request.uri.description == "sip:69@10.0.0.1:5060")
        proxy.answer(proxy.forwarded[2].request, 200, from: try Self.flow(0))
        #expect(proxy.upstream.map(\.statusCode) == [200])
    }

    @Test("Unknown user → 404; known user offline → 480; instrument without bindings → 480")
    func notFoundAndUnavailable() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted)
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:nobody@example.net", callID: "a", branch: "z9hG4bK-a"))
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:70@example.net", callID: "b", branch: "z9hG4bK-b"))
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:~~in~0000DEADBEEF@example.net", callID: "c", branch: "z9hG4bK-c"))
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:~~in~nobody%260000DEADBEEF@example.net", callID: "d", branch: "z9hG4bK-d"))
        #expect(proxy.upstream.map(\.statusCode) == [404, 480, 480, 404])
        #expect(proxy.forwarded.isEmpty)
    }

    @Test("A foreign domain: relayed for a trusted peer, 403 for anyone else (no open relay)")
    func relaying() async throws {
        let trusted = try await ProxyHarness(policy: Self.trusted)
        try trusted.receive(ProxyHarness.request("MESSAGE", "sip:bob@192.0.2.99:5080"))
        #expect(trusted.forwarded.map { $0.destination.address.sipHostPort } == ["192.0.2.99:5080"])
        #expect(trusted.forwarded.first?.request.headers.contains(.recordRoute) == false, "MESSAGE is not record-routed")
        let open = try await ProxyHarness()
        try open.receive(ProxyHarness.request("MESSAGE", "sip:bob@192.0.2.99:5080", from: "<sip:bob@elsewhere.example>;tag=x"))
        #expect(open.upstream.map(\.statusCode) == [403])
    }
}
