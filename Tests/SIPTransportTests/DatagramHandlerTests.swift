import NIOCore
import NIOEmbedded
import SIPCore
import Testing

@testable import SIPTransport

@Suite("UDP codec in EmbeddedChannel")
struct DatagramHandlerTests {
    let remote = try! SocketAddress(ipAddress: "192.0.2.4", port: 41234)
    let local = try! SocketAddress(ipAddress: "198.51.100.1", port: 5060)

    func makeChannel(_ receiver: CollectingReceiver) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: SIPDatagramHandler(context: Fixtures.context(receiver)))
        channel.localAddress = local
        return channel
    }

    func envelope(_ text: String, from: SocketAddress? = nil) -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: from ?? remote, data: ByteBuffer(string: text))
    }

    @Test func deliversRequestWithSourceAndStampedVia() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(envelope(Fixtures.options()))
        let got = try #require(receiver.all.first)
        // Responses go to received/rport, worked out once on arrival (RFC 3581 §4).
        #expect(got.source == SIPSource(transport: .udp, remote: remote, local: local, responseAddress: remote))
        let via = try #require(got.message.request).topVia
        #expect(via.received == "192.0.2.4" && via.rport == .some(41234))
        // The essentials were parsed once and carry the stamped Via.
        let essentials = try #require(got.essentials)
        #expect(essentials.topVia == via)
        #expect(got.eventLoop != nil)
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
    }

    @Test func deliversResponsesUnchanged() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKx;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        try channel.writeInbound(envelope(text))
        #expect(receiver.all.first?.message == (try Fixtures.parse(text)))
    }

    @Test(arguments: ["\r\n", "\r\n\r\n", "\n", ""])
    func keepAlivesDroppedSilently(_ text: String) throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(envelope(text))
        #expect(receiver.all.isEmpty)
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
    }

    @Test func answerableErrorGets400WithReasonToReceivedRPort() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let bad = Fixtures.options().replacingOccurrencesOf("Max-Forwards: 70", with: "Max-Forwards: lots")
        try channel.writeInbound(envelope(bad))
        #expect(receiver.all.isEmpty)
        let out = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(out.remoteAddress == remote, "rport=41234 and received=192.0.2.4 route the answer to the source")
        let response = try #require(try Fixtures.parse(out.data.text).response)
        #expect(response.statusCode == 400 && response.reasonPhrase == "invalid Max-Forwards")
        #expect(try response.topVia.received == "192.0.2.4")
        #expect(try response.to.tag != nil)
        #expect(response.callID == "a84b4c76e66710")
    }

    @Test func answerGoesToSentByPortWithoutRPort() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let bad = Fixtures.options(via: "SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1")
            .replacingOccurrencesOf("Max-Forwards: 70", with: "Max-Forwards: lots")
        try channel.writeInbound(envelope(bad))
        let out = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(out.remoteAddress == (try SocketAddress(ipAddress: "192.0.2.4", port: 5070)))
    }

    @Test func wrongVersionGets505() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(envelope(Fixtures.options().replacingOccurrencesOf("SIP/2.0\r\n", with: "SIP/3.0\r\n")))
        let out = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(try Fixtures.parse(out.data.text).response?.statusCode == 505)
    }

    @Test(arguments: [
        "\u{1}\u{2}garbage", "SIP/2.0 200 OK\r\nVia: broken\r\n\r\n", "OPTIONS sip:a SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n",
    ])
    func unanswerableDropped(_ text: String) throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(envelope(text))
        #expect(receiver.all.isEmpty)
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
        try channel.writeInbound(envelope(Fixtures.options()))
        #expect(receiver.all.count == 1, "the socket keeps working after bad input")
    }

    @Test func ackIsNeverAnswered() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let ack = Fixtures.options().replacingOccurrencesOf("OPTIONS sip", with: "ACK sip")
            .replacingOccurrencesOf("63104 OPTIONS", with: "63104 ACK").replacingOccurrencesOf("Max-Forwards: 70", with: "Max-Forwards: x")
        try channel.writeInbound(envelope(ack))
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
    }
}

extension String {
    func replacingOccurrencesOf(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
