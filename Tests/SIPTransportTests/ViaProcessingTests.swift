import Foundation
import NIOCore
import SIPCore
import Testing

@testable import SIPTransport

@Suite("Via received/rport (RFC 3261 §18.2.1, RFC 3581 §4)")
struct ViaProcessingTests {
    let remote = try! SocketAddress(ipAddress: "192.0.2.4", port: 41234)

    @Test func addsReceivedAndRPortOnlyToTopVia() throws {
        let text = Fixtures.options(via: "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP  proxy.example.com;branch=z9hG4bKx")
        var request = try Fixtures.request(text)
        let before = request.headers.fields.map(\.description)
        #expect(SIPViaProcessing.stampReceived(&request.headers, remote: remote) == .stamped)
        let after = request.headers.fields.map(\.description)
        #expect(after[0] == "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=41234;received=192.0.2.4, SIP/2.0/UDP  proxy.example.com;branch=z9hG4bKx")
        #expect(Array(after.dropFirst()) == Array(before.dropFirst()))
        let vias = try request.vias()
        #expect(vias[0].received == "192.0.2.4" && vias[0].rport == .some(41234))
        #expect(vias[1].received == nil)
    }

    @Test func receivedOnlyWhenHostDiffers() throws {
        var same = try Fixtures.request(Fixtures.options(via: "SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK1"))
        #expect(SIPViaProcessing.stampReceived(&same.headers, remote: remote) == .unchanged)
        var named = try Fixtures.request(Fixtures.options(via: "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1"))
        #expect(SIPViaProcessing.stampReceived(&named.headers, remote: remote) == .stamped)
        #expect(try named.topVia.received == "192.0.2.4")
        #expect(try named.topVia.rport == nil)
    }

    @Test func rportForcesReceivedEvenWhenEqual() throws {
        var request = try Fixtures.request(Fixtures.options(via: "SIP/2.0/UDP 192.0.2.4:5060;rport;branch=z9hG4bK1"))
        SIPViaProcessing.stampReceived(&request.headers, remote: remote)
        let via = try request.topVia
        #expect(via.received == "192.0.2.4" && via.rport == .some(41234) && via.branch == "z9hG4bK1")
    }

    @Test func ipv6SourceAndCompactForm() throws {
        let text = Fixtures.options().replacingOccurrences(
            of: "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport", with: "v: SIP/2.0/TCP [::1]:5060;branch=z9hG4bK2;rport")
        var request = try Fixtures.request(text)
        let v6 = try SocketAddress(ipAddress: "::1", port: 50000)
        SIPViaProcessing.stampReceived(&request.headers, remote: v6)
        #expect(request.headers[0].description == "v: SIP/2.0/TCP [::1]:5060;branch=z9hG4bK2;rport=50000;received=::1")
        var plain = try Fixtures.request(text.replacingOccurrences(of: ";rport", with: ""))
        #expect(SIPViaProcessing.stampReceived(&plain.headers, remote: v6) == .unchanged)
    }

    @Test func invalidViaIsReported() {
        var headers = SIPHeaders([SIPHeaderField(.via, "garbage")])
        guard case .invalidVia = SIPViaProcessing.stampReceived(&headers, remote: remote) else {
            Issue.record("expected invalidVia")
            return
        }
    }
}
