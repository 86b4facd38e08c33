import Logging
import NIOCore
import SIPCore
import SIPTestSupport
import Testing

@testable import SIPTransport

/// `--trace-sip` at the transport: every message in and out, one record each, with direction,
/// transport, remote and size, and the digest response redacted.
@Suite("Message trace over loopback sockets", .serialized, .timeLimit(.minutes(1)))
struct MessageTraceTests {
    static let secret = "6629fae49393a05397450978507c4ef1"

    @Test("A REGISTER in and its 200 out are traced with direction, transport, remote and bytes; the response= is redacted",
        arguments: [SIPTransportProtocol.udp, .tcp])
    func traced(_ transport: SIPTransportProtocol) async throws {
        let capture = LogCapture(label: "trace")
        let listener = SIPListener(url: try SIPListenerURL(parsing: "\(transport)://127.0.0.1:0"))
        let configuration = SIPTransportConfiguration(
            listeners: [listener], eventLoopThreads: 1, trace: SIPMessageTrace(logger: capture.logger))
        try await withAnsweringTransport(configuration) { _, server in
            try await withClient(transport, to: server) { client in
                let authorization =
                    "Digest username=\"69/0000DEADBEEF\", realm=\"example.net\", nonce=\"n1\", uri=\"sip:example.net\", "
                    + "response=\"\(Self.secret)\", cnonce=\"c1\", nc=00000001, qop=auth"
                let request = SIPTestRequest.register(
                    via: client.via(branch: "z9hG4bK-trace"), callID: "trace-1", contacts: ["<sip:69@\(client.sentBy)>"],
                    authorization: authorization
                ).text
                try await client.send(request)
                #expect(try await client.inbox.nextFinalResponse().statusCode == 200)
                let local = try #require(client.channel.localAddress)
                var traces: [LogCapture.Record] = []
                for _ in 0..<500 where traces.count < 2 {
                    traces = capture.records.filter { $0.metadata["event"] == "sip.trace" }
                    if traces.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
                }
                let incoming = try #require(traces.first { $0.metadata["sip.direction"] == "in" })
                let outgoing = try #require(traces.first { $0.metadata["sip.direction"] == "out" })
                #expect(traces.count == 2)
                for record in [incoming, outgoing] {
                    #expect(record.metadata["sip.transport"] == transport.description)
                    #expect(record.metadata["sip.remote"] == local.sipHostPort)
                    #expect(record.metadata["sip.call_id"] == "trace-1")
                    #expect(record.level == .info)
                }
                #expect(incoming.metadata["sip.bytes"] == "\(request.utf8.count)")
                #expect(incoming.message.hasPrefix("in \(transport) \(local.sipHostPort) \(request.utf8.count) bytes\nREGISTER sip:example.net SIP/2.0\n"))
                #expect(incoming.message.contains("response=\"…\", cnonce=\"c1\""))
                #expect(outgoing.message.contains("\nSIP/2.0 200 OK\n"))
                #expect(!capture.text.contains(Self.secret), "the digest response never reaches the log")
            }
        }
    }

    @Test("Off by default: nothing is traced")
    func off() {
        #expect(!SIPTransportConfiguration().trace.isOn)
        #expect(!SIPMessageTrace.off.isOn)
    }
}
