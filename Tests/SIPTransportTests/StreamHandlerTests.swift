import NIOCore
import NIOEmbedded
import NIOTestUtils
import SIPCore
import Testing

@testable import SIPTransport

@Suite("TCP/TLS stream decoder and connection handler in EmbeddedChannel")
struct StreamHandlerTests {
    let remote = try! SocketAddress(ipAddress: "192.0.2.4", port: 41234)
    let local = try! SocketAddress(ipAddress: "198.51.100.1", port: 5060)
    let id = SIPConnectionID(rawValue: 77)

    func makeChannel(_ receiver: CollectingReceiver, idle: TimeAmount? = nil) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let pipeline = channel.pipeline.syncOperations
        if let idle { try pipeline.addHandler(SIPIdleTimeoutHandler(timeout: idle)) }
        try pipeline.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
        try pipeline.addHandler(SIPStreamConnectionHandler(context: Fixtures.context(receiver), transport: .tcp, connectionID: id))
        channel.localAddress = local
        try channel.connect(to: remote).wait()
        channel.remoteAddress = remote
        return channel
    }

    @Test func verifierAcceptsEverySplit() throws {
        let first = Fixtures.options(via: "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1", callID: "one")
        let second = Fixtures.options(via: "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2", callID: "two", body: "v=0\r\n")
        let invalid = Fixtures.options(callID: "bad").replacingOccurrencesOf("Max-Forwards: 70", with: "Max-Forwards: x")
        let invalidError: SIPParseError
        do {
            _ = try SIPMessageParser().parse(Array(invalid.utf8), framing: .stream)
            Issue.record("expected an error")
            return
        } catch { invalidError = error }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                (first, [.message(try Fixtures.parse(first))]),
                (second, [.message(try Fixtures.parse(second))]),
                ("\r\n\r\n", [.ping]),
                (invalid, [.invalidMessage(invalidError)]),
            ],
            decoderFactory: { SIPStreamDecoder() })
    }

    @Test func deliversWithConnectionSource() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(ByteBuffer(string: Fixtures.options(via: "SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1;rport")))
        let got = try #require(receiver.all.first)
        #expect(got.source == SIPSource(transport: .tcp, remote: remote, local: local, connectionID: id))
        #expect(try got.message.request?.topVia.rport == .some(41234))
    }

    @Test func pingGetsPong() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(ByteBuffer(string: "\r\n\r\n"))
        #expect(try channel.readOutbound(as: ByteBuffer.self)?.text == "\r\n")
        try channel.writeInbound(ByteBuffer(string: "\r\n"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "a single CRLF is not answered")
        #expect(channel.isActive)
    }

    @Test func invalidMessageAnsweredAndStreamContinues() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let bad = Fixtures.options().replacingOccurrencesOf("Max-Forwards: 70", with: "Max-Forwards: x")
        try channel.writeInbound(ByteBuffer(string: bad + Fixtures.options(callID: "good")))
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try Fixtures.parse(answer.text).response?.statusCode == 400)
        #expect(receiver.all.map { $0.message.headers[.callID] } == ["good"])
        #expect(channel.isActive)
    }

    @Test func framingErrorAnsweredThenClosed() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        let noLength = Fixtures.options().replacingOccurrencesOf("Content-Length: 0\r\n", with: "")
        try channel.writeInbound(ByteBuffer(string: noLength + Fixtures.options(callID: "after")))
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let response = try #require(try Fixtures.parse(answer.text).response)
        #expect(response.statusCode == 400 && response.reasonPhrase.contains("Content-Length"))
        #expect(channel.isActive, "kept open briefly for answers to earlier requests")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(receiver.all.isEmpty, "nothing after a framing error is trusted")
    }

    @Test func unanswerableFramingErrorJustCloses() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver)
        try channel.writeInbound(ByteBuffer(string: "\r\rjunk"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(!channel.isActive)
    }

    @Test func oversizedHeaderIsAFramingError() throws {
        let receiver = CollectingReceiver()
        let channel = EmbeddedChannel()
        let limits = SIPParserLimits(maxMessageSize: 512)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder(limits: limits)))
        try channel.pipeline.syncOperations.addHandler(
            SIPStreamConnectionHandler(context: Fixtures.context(receiver), transport: .tcp, connectionID: id))
        try channel.connect(to: remote).wait()
        channel.remoteAddress = remote
        try channel.writeInbound(ByteBuffer(string: String(repeating: "A", count: 600)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(!channel.isActive, "bounded buffering: a header section over the limit closes the connection")
    }

    @Test func idleConnectionClosesButKeepAlivesKeepItOpen() throws {
        let receiver = CollectingReceiver()
        let channel = try makeChannel(receiver, idle: .seconds(300))
        channel.embeddedEventLoop.advanceTime(by: .seconds(200))
        try channel.writeInbound(ByteBuffer(string: "\r\n\r\n"))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        channel.embeddedEventLoop.advanceTime(by: .seconds(200))
        #expect(channel.isActive, "keep-alive traffic resets the idle timer")
        channel.embeddedEventLoop.advanceTime(by: .seconds(99))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }
}
