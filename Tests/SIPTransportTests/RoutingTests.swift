import NIOCore
import SIPCore
import Testing

@testable import SIPTransport

@Suite("Response routing (RFC 3261 §18.2.2, RFC 3581) and large requests (§18.1.1)")
struct RoutingTests {
    let source = SIPSource(
        transport: .udp, remote: try! SocketAddress(ipAddress: "192.0.2.4", port: 41234),
        local: try! SocketAddress(ipAddress: "198.51.100.1", port: 5060))

    func via(_ text: String) throws -> SIPVia { try SIPVia(parsing: Substring(text)) }

    @Test func udpPrefersReceivedAndRPort() throws {
        let v = try via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport=41234;received=192.0.2.4")
        #expect(SIPResponseRouting.datagramDestination(topVia: v, source: source) == (try SocketAddress(ipAddress: "192.0.2.4", port: 41234)))
    }

    @Test func udpReceivedWithSentByPortOrDefault() throws {
        let withPort = try via("SIP/2.0/UDP host.example.com:5070;branch=z9hG4bK1;received=192.0.2.9")
        #expect(SIPResponseRouting.datagramDestination(topVia: withPort, source: source) == (try SocketAddress(ipAddress: "192.0.2.9", port: 5070)))
        let noPort = try via("SIP/2.0/UDP host.example.com;branch=z9hG4bK1;received=192.0.2.9")
        #expect(SIPResponseRouting.datagramDestination(topVia: noPort, source: source) == (try SocketAddress(ipAddress: "192.0.2.9", port: 5060)))
    }

    @Test func udpMaddrWins() throws {
        let v = try via("SIP/2.0/UDP 10.0.0.1:5080;branch=z9hG4bK1;maddr=239.1.1.1;received=192.0.2.4")
        #expect(SIPResponseRouting.datagramDestination(topVia: v, source: source) == (try SocketAddress(ipAddress: "239.1.1.1", port: 5080)))
    }

    @Test func udpSentByLiteralThenSource() throws {
        let literal = try via("SIP/2.0/UDP [2001:db8::5]:5090;branch=z9hG4bK1")
        #expect(SIPResponseRouting.datagramDestination(topVia: literal, source: source) == (try SocketAddress(ipAddress: "2001:db8::5", port: 5090)))
        let name = try via("SIP/2.0/UDP unresolvable.example;branch=z9hG4bK1")
        #expect(SIPResponseRouting.datagramDestination(topVia: name, source: source) == source.remote)
    }

    @Test func streamFallbackIgnoresRPort() throws {
        let v = try via("SIP/2.0/TCP 10.0.0.1:5062;branch=z9hG4bK1;rport=41234;received=192.0.2.4")
        #expect(SIPResponseRouting.streamFallbackDestination(topVia: v, source: source) == (try SocketAddress(ipAddress: "192.0.2.4", port: 5062)))
        var tls = source
        tls.transport = .tls
        let noPort = try via("SIP/2.0/TLS 10.0.0.1;branch=z9hG4bK1")
        #expect(SIPResponseRouting.streamFallbackDestination(topVia: noPort, source: tls) == (try SocketAddress(ipAddress: "10.0.0.1", port: 5061)))
        #expect(SIPResponseRouting.streamFallbackDestination(topVia: try via("SIP/2.0/TCP a.example;branch=z9hG4bK1"), source: source) == nil)
    }

    @Test func largeRequestThreshold() {
        let limits = SIPTransportLimits()
        #expect(limits.effectiveUDPThreshold == 1300)
        #expect(!SIPOutboundTransportSelection.shouldSwitchToTCP(requestSize: 1300, limits: limits))
        #expect(SIPOutboundTransportSelection.shouldSwitchToTCP(requestSize: 1301, limits: limits))
        let smallMTU = SIPTransportLimits(pathMTU: 1280)
        #expect(smallMTU.effectiveUDPThreshold == 1080)
        #expect(SIPOutboundTransportSelection.shouldSwitchToTCP(requestSize: 1081, limits: smallMTU))
    }

    @Test func rewritesOnlyTopViaTransport() throws {
        let request = try Fixtures.request(Fixtures.options(via: "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2"))
        let rewritten = try #require(SIPOutboundTransportSelection.rewritingTopViaTransport(request, to: .tcp))
        #expect(rewritten.headers[0].description == "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2")
        #expect(Array(rewritten.headers.dropFirst()) == Array(request.headers.dropFirst()))
    }
}
