import NIOCore
import Testing

@testable import SIPTransport

@Suite("Listener URLs (--sip)")
struct ListenerURLTests {
    @Test func parsesIPv4AndIPv6() throws {
        let udp = try SIPListenerURL(parsing: "udp://0.0.0.0:5060")
        #expect(udp == SIPListenerURL(transport: .udp, host: "0.0.0.0", port: 5060))
        let tls = try SIPListenerURL(parsing: "TLS://[::1]:5061")
        #expect(tls.transport == .tls && tls.host == "::1" && tls.port == 5061 && tls.isIPv6)
        #expect(tls.description == "tls://[::1]:5061")
        #expect(try SIPListenerURL(parsing: "tcp://127.0.0.1:0").port == 0)
        #expect(try tls.socketAddress() == SocketAddress(ipAddress: "::1", port: 5061))
    }

    @Test func defaultPortPerTransport() throws {
        #expect(try SIPListenerURL(parsing: "tls://10.1.2.3").port == 5061)
        #expect(try SIPListenerURL(parsing: "udp://[2001:db8::1]").port == 5060)
        #expect(try SIPListenerURL(parsing: "tcp://localhost:5070").socketAddress() == SocketAddress(ipAddress: "127.0.0.1", port: 5070))
    }

    @Test(arguments: [
        "0.0.0.0:5060", "sctp://0.0.0.0:5060", "udp://", "udp://:5060", "udp://1.2.3.4:70000", "udp://1.2.3.4:x",
        "udp://::1:5060", "udp://[::1", "udp://[1.2.3.4]:5060", "udp://[::1]5060", "tcp://a b:1", "udp://1.2.3.4:",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: SIPTransportError.self) { try SIPListenerURL(parsing: text) }
        #expect(SIPListenerURL(text) == nil)
    }

    @Test func hostNamesAreNotResolved() throws {
        let url = try SIPListenerURL(parsing: "udp://sip.example.com:5060")
        #expect(throws: SIPTransportError.self) { try url.socketAddress() }
    }

    @Test func roundTripsThroughDescription() throws {
        for text in ["udp://0.0.0.0:5060", "tcp://[::]:5060", "tls://192.0.2.7:5061"] {
            #expect(try SIPListenerURL(parsing: text).description == text)
        }
        #expect(SIPListenerURL.defaults.map(\.description) == ["udp://0.0.0.0:5060", "tcp://0.0.0.0:5060", "tls://0.0.0.0:5061"])
    }
}
