import SIPCore
import SIPProxy
import SIPStorage
import SIPTestSupport
import SIPTransport
import Testing

/// INVITE forking on the manual clock (RFC 3261 §16.7–16.10): provisionals forwarded, CANCEL
/// from upstream propagated to the ringing branches, Timer C, and the ACK for a 2xx forwarded
/// statelessly along the Route set (§16.11).
@Suite("INVITE forking: CANCEL, Timer C, ACK")
struct InviteForkingTests {
    static let trusted: @Sendable (inout ProxyAuthPolicy) -> Void = { $0.trustedPeers = ["203.0.113.5"] }
    static let lines = [ProxyHarness.line("69", index: 0), ProxyHarness.line("70", index: 1)]

    static func line(_ index: Int) throws -> SIPSource { try makeSource(host: "198.51.100.\(index + 1)", port: 5060) }

    static let invite = ProxyHarness.request(
        "INVITE", "sip:~~in~0000DEADBEEF@example.net", callID: "inv-1", branch: "z9hG4bK-inv1",
        headers: ["Contact: <sip:71@203.0.113.5:5070>"])

    @Test("CANCEL from upstream: 200 to it, CANCEL to each ringing branch, 487 upstream (§16.10)")
    func cancelPropagates() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.lines)
        try proxy.receive(Self.invite)
        let branches = proxy.forwarded
        #expect(branches.count == 2)
        proxy.answer(branches[0].request, 180, from: try Self.line(0))
        proxy.answer(branches[1].request, 180, from: try Self.line(1))
        #expect(proxy.upstream.map(\.statusCode) == [180, 180])
        try proxy.receive(
            ProxyHarness.request(
                "CANCEL", "sip:~~in~0000DEADBEEF@example.net", callID: "inv-1", branch: "z9hG4bK-inv1"))
        #expect(proxy.upstream.last?.statusCode == 200)
        let cancels = proxy.forwarded.filter { $0.request.method == .cancel }
        #expect(cancels.count == 2)
        for (cancel, _) in cancels {
            let invite = try #require(branches.first { (try? $0.request.topVia.branch) == (try? cancel.topVia.branch) })
            #expect(cancel.uri == invite.request.uri, "same Request-URI and branch as its INVITE (§9.1)")
        }
        proxy.answer(branches[0].request, 487, from: try Self.line(0))
        #expect(proxy.upstream.last?.statusCode == 200, "487 waits for the other branch")
        proxy.answer(branches[1].request, 487, from: try Self.line(1))
        #expect(proxy.upstream.last?.statusCode == 487)
        #expect(proxy.sessions.count == 0)
    }

    @Test("2xx: forwarded at once, the other ringing branch cancelled (§16.7 step 10)")
    func answeredCancelsOthers() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: Self.lines)
        try proxy.receive(Self.invite)
        let branches = proxy.forwarded
        proxy.answer(branches[0].request, 180, from: try Self.line(0))
        proxy.answer(branches[1].request, 180, from: try Self.line(1))
        proxy.answer(branches[1].request, 200, toTag: "ok", from: try Self.line(1))
        #expect(proxy.upstream.last?.statusCode == 200)
        let cancels = proxy.forwarded.filter { $0.request.method == .cancel }
        #expect(cancels.map { try? $0.request.topVia.branch } == [try branches[0].request.topVia.branch])
    }

    @Test("Timer C: a branch ringing for 181 s is cancelled; its 487 goes upstream (§16.8)")
    func timerC() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted, bindings: [ProxyHarness.line("69", index: 0)])
        try proxy.receive(
            ProxyHarness.request("INVITE", "sip:69@example.net", callID: "inv-c", branch: "z9hG4bK-invc"))
        let branch = try #require(proxy.forwarded.first).request
        proxy.answer(branch, 180, from: try Self.line(0))
        proxy.clock.advance(by: .seconds(180))
        #expect(proxy.forwarded.filter { $0.request.method == .cancel }.isEmpty)
        proxy.clock.advance(by: .seconds(2))
        let cancels = proxy.forwarded.filter { $0.request.method == .cancel }
        #expect(!cancels.isEmpty)
        #expect(Set(cancels.map { try? $0.request.topVia.branch }) == [try branch.topVia.branch], "one CANCEL (and its retransmissions)")
        proxy.answer(branch, 487, from: try Self.line(0))
        #expect(proxy.upstream.last?.statusCode == 487)
    }

    @Test("ACK for a 2xx with our Route: forwarded statelessly, our Route removed, Max-Forwards decremented")
    func ackForwarded() async throws {
        let proxy = try await ProxyHarness(policy: Self.trusted)
        try proxy.receive(
            ProxyHarness.request(
                "ACK", "sip:69@192.0.2.60:5062", to: "<sip:69@example.net>;tag=ok", callID: "inv-a", branch: "z9hG4bK-ack",
                headers: ["Route: <sip:192.0.2.1:5060;transport=udp;lr>"]))
        let (ack, destination) = try #require(proxy.forwarded.first)
        #expect(ack.method == .ack)
        #expect(destination.address.sipHostPort == "192.0.2.60:5062")
        #expect(!ack.headers.contains(.route))
        #expect(ack.headers[.maxForwards] == "69")
        #expect(try ack.vias().count == 2)
        #expect(proxy.upstream.isEmpty, "an ACK is never answered")
    }
}
