import NIOCore
import SIPCore
import SIPTestSupport
import SIPTransaction
import SIPTransport

/// Messages for the transaction tests, parsed from wire text so they look like real traffic.
enum Fixtures {
    static let branch = "z9hG4bK776asdhds"

    static func request(
        _ method: SIPMethod = .register, uri: String = "sip:bob@example.com", branch: String? = Fixtures.branch,
        sentBy: String = "pc33.atlanta.com", transport: String = "UDP", toTag: String? = nil,
        fromTag: String = "1928301774", callID: String = "a84b4c76e66710", cseq: UInt32 = 314159,
        cseqMethod: SIPMethod? = nil, extraHeaders: [String] = []
    ) -> SIPRequest {
        let request = SIPTestRequest(
            method, uri: uri, via: [SIPTestRequest.via(transport, sentBy: sentBy, branch: branch, rport: false)],
            from: "Alice <sip:alice@atlanta.com>;tag=\(fromTag)",
            to: "Bob <sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""), callID: callID, cseq: cseq,
            cseqMethod: cseqMethod, headers: extraHeaders)
        return try! request.parsed()
    }

    static func response(_ statusCode: Int, to request: SIPRequest, toTag: String? = "8321234356") -> SIPResponse {
        SIPResponse(answering: request, statusCode: statusCode, toTag: statusCode > 100 ? toTag : nil)
    }

    static func source(_ transport: SIPTransportProtocol = .udp) -> SIPSource {
        try! makeSource(transport: transport, connectionID: transport.isStream ? 7 : nil)
    }

    static func destination(_ transport: SIPTransportProtocol = .udp) -> SIPDestination {
        SIPDestination(transport: transport, address: try! SocketAddress(ipAddress: "192.0.2.20", port: 5060))
    }
}

extension SIPTransactionAction {
    /// The status code of a sent response, for compact assertions.
    var sentStatus: Int? {
        if case .send(.response(let response)) = self { return response.statusCode }
        return nil
    }

    /// The method of a sent request.
    var sentMethod: SIPMethod? {
        if case .send(.request(let request)) = self { return request.method }
        return nil
    }
}
