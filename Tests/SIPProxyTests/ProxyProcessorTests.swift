import NIOCore
import SIPAuth
import SIPCore
import SIPProxy
import SIPStorage
import SIPTestSupport
import SIPTransport
import Testing

/// One processor at a time, through the chain: loop detection (§16.3 step 4), Proxy-Require
/// (§16.3 step 5), route processing and flow tokens (§16.4, RFC 5626 §5.3), authentication
/// (§22.3).
@Suite("Proxy processors: 482, 420, Route, flow tokens, 407")
struct ProxyProcessorTests {
    static let trusted: @Sendable (inout ProxyAuthPolicy) -> Void = { $0.trustedPeers = ["203.0.113.5"] }
    static let lines = [ProxyHarness.line("69", index: 0), ProxyHarness.line("70", index: 1)]

    @Test("A request that comes back unchanged through us is a loop → 482; a changed one spirals on")
    func loopDetection() async throws {
        let proxy = try await ProxyHarness(policy: { $0.trustedPeers = ["203.0.113.5", "192.0.2.99"] }, bindings: Self.lines)
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:192.0.2.99:5080;transport=udp", from: "<sip:71@example.net>;tag=f1"))
        let out = try #require(proxy.forwarded.first).request
        // The same request comes back (with our Via on it), as a misconfigured next hop would.
        var back = out
        back.headers.prepend(SIPHeaderField(.via, "SIP/2.0/UDP 192.0.2.99:5080;branch=z9hG4bK-loop;rport"))
        back.uri = try SIPURI(parsing: "sip:192.0.2.99:5080;transport=udp")
        back.headers.set(.maxForwards, "70")
        try proxy.receive(back.description)
        #expect(proxy.upstream.last?.statusCode == 482)
        // Spiral: back with another Request-URI (an alias resolved downstream): forwarded again.
        var spiral = back
        spiral.uri = try SIPURI(parsing: "sip:69@example.net")
        spiral.headers.replace(at: 0, with: SIPHeaderField(.via, "SIP/2.0/UDP 192.0.2.99:5080;branch=z9hG4bK-spiral;rport"))
        try proxy.receive(spiral.description, from: try makeSource(host: "192.0.2.99", port: 5080))
        #expect(proxy.forwarded.last?.request.uri.description == "sip:69@10.0.0.1:5060")
    }

    @Test("Proxy-Require with an extension we lack → 420 listing it in Unsupported")
    func proxyRequire() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.lines)
        try proxy.receive(ProxyHarness.request("MESSAGE", "sip:69@example.net", headers: ["Proxy-Require: foo, bar"]))
        let response = try #require(proxy.upstream.last)
        #expect(response.statusCode == 420)
        #expect(response.headers[.unsupported] == "foo, bar")
        #expect(proxy.forwarded.isEmpty)
    }

    @Test("Our Route is removed; the next Route is the next hop (loose routing, §16.4)")
    func looseRouting() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted)
        try proxy.receive(
            ProxyHarness.request(
                "BYE", "sip:bob@10.9.9.9", to: "<sip:bob@example.net>;tag=b", headers: [
                    "Route: <sip:192.0.2.1:5060;transport=udp;lr>, <sip:192.0.2.50:5090;lr>",
                ]))
        let (request, destination) = try #require(proxy.forwarded.first)
        #expect(destination.address.sipHostPort == "192.0.2.50:5090")
        #expect(try request.routes().map(\.uri.description) == ["sip:192.0.2.50:5090;lr"])
        #expect(request.uri.description == "sip:bob@10.9.9.9")
    }

    @Test("Through us as outbound proxy: our Route only, a Request-URI of our domain → looked up")
    func outboundProxyRoute() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.lines)
        try proxy.receive(
            ProxyHarness.request("MESSAGE", "sip:70@example.net", headers: ["Route: <sip:192.0.2.1:5060;lr>"]))
        let (request, destination) = try #require(proxy.forwarded.first)
        #expect(request.uri.description == "sip:70@10.0.0.2:5060")
        #expect(destination.address.sipHostPort == "198.51.100.2:5060")
        #expect(!request.headers.contains(.route))
    }

    @Test("Strict-route fixup: our URI in the Request-URI → the last Route becomes the Request-URI (§16.4)")
    func strictRouteFixup() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted)
        try proxy.receive(
            ProxyHarness.request(
                "BYE", "sip:192.0.2.1:5060;transport=udp;lr", to: "<sip:bob@example.net>;tag=b",
                headers: ["Route: <sip:bob@192.0.2.77:5062>"]))
        let (request, destination) = try #require(proxy.forwarded.first)
        #expect(request.uri.description == "sip:bob@192.0.2.77:5062")
        #expect(!request.headers.contains(.route))
        #expect(destination.address.sipHostPort == "192.0.2.77:5062")
    }

    @Test("Flow token: a request from the line goes to the watcher's flow and back (RFC 5626 §5.3)")
    func flowTokenBothWays() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.lines)
        try proxy.receive(ProxyHarness.subscribe("sip:~~in~69%260000DEADBEEF@example.net"))
        let subscribe = try #require(proxy.forwarded.first).request
        let recordRoute = try #require(subscribe.headers[.recordRoute]).description
        // The line (behind NAT at 198.51.100.1:5060) sends a NOTIFY to the watcher's Contact
        // through our Route.
        try proxy.receive(
            ProxyHarness.request(
                "NOTIFY", "sip:71@10.1.1.1:5070", from: "<sip:~~in~69%260000DEADBEEF@example.net>;tag=l1",
                to: "<sip:71@example.net>;tag=w1", callID: "sub-1", branch: "z9hG4bK-n1",
                headers: ["Route: \(recordRoute)", "Event: dialog", "Subscription-State: active"]),
            from: try makeSource(host: "198.51.100.1", port: 5060))
        let notify = try #require(proxy.forwarded.last)
        #expect(notify.request.method == .notify)
        #expect(notify.destination.address.sipHostPort == "203.0.113.5:5070", "the watcher's flow, not its Contact")
        #expect(notify.request.headers.contains(.recordRoute), "NOTIFY is record-routed (RFC 6665 §4.1.2.4)")
        // The watcher refreshes inside that dialog through the NOTIFY's Record-Route.
        let notifyRoute = try #require(notify.request.headers[.recordRoute]).description
        try proxy.receive(
            ProxyHarness.request(
                "SUBSCRIBE", "sip:69@10.0.0.1:5060", from: "<sip:71@example.net>;tag=w1",
                to: "<sip:~~in~69%260000DEADBEEF@example.net>;tag=l1", callID: "sub-1", cseq: 2,
                branch: "z9hG4bK-w2", headers: ["Route: \(notifyRoute)", "Event: dialog"]))
        let refresh = try #require(proxy.forwarded.last)
        #expect(refresh.request.method == .subscribe)
        #expect(refresh.destination.address.sipHostPort == "198.51.100.1:5060", "the line's flow")
    }

    @Test("A forged or altered flow token is ignored")
    func forgedToken() {
        let key = FlowTokenKey.random()
        let flow = SIPDestination(transport: .udp, address: try! .init(ipAddress: "198.51.100.1", port: 5060))
        let token = FlowToken(upstream: nil, downstream: flow).encoded(key: key)
        #expect(FlowToken(decoding: token, key: key)?.downstream == flow)
        #expect(FlowToken(decoding: token, key: .random()) == nil)
        var altered = Array(token)
        altered[8] = altered[8] == "0" ? "1" : "0"
        #expect(FlowToken(decoding: String(altered), key: key) == nil)
        #expect(FlowToken(decoding: "sbf-zz-00", key: key) == nil)
    }
}

/// Proxy authentication (RFC 3261 §22.3) with the registrar's digest rules.
@Suite("Proxy authentication: 407, user/MAC, From match, lockout, trusted peers")
struct ProxyAuthTests {
    static let lines = [ProxyHarness.line("69", index: 0), ProxyHarness.line("70", index: 1)]

    /// Sends a SUBSCRIBE, answers the 407 with `username`/`password`, returns the last response
    /// upstream (nil when it was forwarded).
    func authenticate(
        _ proxy: ProxyHarness, username: String = "71/0004F2ABCDEF", password: String = "secret-71",
        from user: String = "71", branch: String = "z9hG4bK-a"
    ) throws -> SIPResponse? {
        let uri = "sip:~~in~0000DEADBEEF@example.net"
        try proxy.receive(ProxyHarness.subscribe(uri, from: user, branch: branch + "1"))
        let challenge = try #require(proxy.upstream.last)
        #expect(challenge.statusCode == 407)
        let offered = try #require(try challenge.proxyAuthenticates().first)
        let credentials = DigestClient.credentials(
            answering: offered, username: username, password: password, method: "SUBSCRIBE", digestURI: uri,
            nonceCount: 1, cnonce: "c0ffee")
        let before = proxy.upstream.count
        try proxy.receive(
            ProxyHarness.subscribe(
                uri, from: user, cseq: 2, branch: branch + "2", headers: ["Proxy-Authorization: \(credentials)"]))
        return proxy.upstream.count > before ? proxy.upstream.last : nil
    }

    @Test("No credentials → 407 with Proxy-Authenticate; right ones → forwarded without them")
    func challengeThenForward() async throws {
        let proxy = try await ProxyHarness(bindings: Self.lines)
        #expect(try authenticate(proxy) == nil)
        #expect(proxy.forwarded.count == 2)
        #expect(proxy.forwarded.allSatisfy { !$0.request.headers.contains(.proxyAuthorization) }, "consumed (§22.3)")
    }

    @Test("Wrong password or unknown user → 407 again; the third failure locks the source out (403)")
    func failuresAndLockout() async throws {
        let proxy = try await ProxyHarness(bindings: Self.lines)
        #expect(try authenticate(proxy, password: "wrong", branch: "z9hG4bK-x")?.statusCode == 407)
        #expect(try authenticate(proxy, username: "99/0004F2ABCDEF", from: "99", branch: "z9hG4bK-y")?.statusCode == 407)
        #expect(try authenticate(proxy, password: "wrong", branch: "z9hG4bK-z")?.statusCode == 403)
        try proxy.receive(ProxyHarness.subscribe("sip:~~in~0000DEADBEEF@example.net", branch: "z9hG4bK-after"))
        #expect(proxy.upstream.last?.statusCode == 403, "locked out before any challenge")
        #expect(proxy.forwarded.isEmpty)
    }

    @Test("The auth user must be the From user")
    func fromMustMatch() async throws {
        let proxy = try await ProxyHarness(bindings: Self.lines)
        #expect(try authenticate(proxy, username: "70/0000DEADBEEF", password: "secret-70")?.statusCode == 403)
    }

    @Test("Methods outside the policy, foreign From domains and trusted peers are not challenged")
    func notChallenged() async throws {
        let proxy = try await ProxyHarness(bindings: Self.lines)
        try proxy.receive(ProxyHarness.request("OPTIONS", "sip:69@example.net", branch: "z9hG4bK-o"))
        try proxy.receive(
            ProxyHarness.request("MESSAGE", "sip:69@example.net", from: "<sip:bob@elsewhere.example>;tag=e", branch: "z9hG4bK-e"))
        #expect(proxy.upstream.filter { $0.statusCode == 407 }.isEmpty)
        #expect(proxy.forwarded.count == 2)
        let trusted = try await ProxyHarness(policy: { $0.trustedPeers = ["203.0.113.5"] }, bindings: Self.lines)
        try trusted.receive(ProxyHarness.subscribe("sip:~~in~0000DEADBEEF@example.net"))
        #expect(trusted.forwarded.count == 2)
    }
}
