import NIOCore
import SIPCore
import Testing

@testable import SIPTransport

/// Which of a UDP listener's sockets (one per event loop) sends a message written from outside
/// the loops: always the same one for one destination, so messages to a peer keep their order.
@Suite("UDP socket choice off the event loops", .timeLimit(.minutes(1)))
struct UDPSocketChoiceTests {
    @Test("One destination, one socket; destinations spread over the sockets")
    func sameDestinationSameSocket() async throws {
        let configuration = SIPTransportConfiguration(
            listeners: [SIPListener(url: try SIPListenerURL(parsing: "udp://127.0.0.1:0"))], eventLoopThreads: 2,
            udpChannelsPerListener: 4)
        try await withAnsweringTransport(configuration) { service, server in
            var used = Set<ObjectIdentifier>()
            for port in 40_000..<40_064 {
                let peer = try SocketAddress(ipAddress: "127.0.0.1", port: port)
                let first = try service.udpChannel(to: peer, from: server)
                for _ in 0..<8 {
                    #expect(ObjectIdentifier(try service.udpChannel(to: peer, from: server)) == ObjectIdentifier(first))
                }
                used.insert(ObjectIdentifier(first))
            }
            #expect(used.count > 1, "64 peers do not all land on one socket")
        }
    }
}
