import NIOCore
import SIPCore
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
        var text = "\(method.rawValue) \(uri) SIP/2.0\r\n"
        text += "Via: SIP/2.0/\(transport) \(sentBy)" + (branch.map { ";branch=\($0)" } ?? "") + "\r\n"
        text += "Max-Forwards: 70\r\n"
        text += "To: Bob <sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? "") + "\r\n"
        text += "From: Alice <sip:alice@atlanta.com>;tag=\(fromTag)\r\n"
        text += "Call-ID: \(callID)\r\n"
        text += "CSeq: \(cseq) \((cseqMethod ?? method).rawValue)\r\n"
        for header in extraHeaders { text += header + "\r\n" }
        text += "Content-Length: 0\r\n\r\n"
        guard case .request(let request) = try! SIPMessageParser().parse(Array(text.utf8)) else {
            fatalError("fixture is not a request")
        }
        return request
    }

    static func response(_ statusCode: Int, to request: SIPRequest, toTag: String? = "8321234356") -> SIPResponse {
        SIPResponse(answering: request, statusCode: statusCode, toTag: statusCode > 100 ? toTag : nil)
    }

    static func source(_ transport: SIPTransportProtocol = .udp) -> SIPSource {
        SIPSource(
            transport: transport, remote: try! SocketAddress(ipAddress: "192.0.2.10", port: 5060),
            local: try! SocketAddress(ipAddress: "192.0.2.1", port: 5060),
            connectionID: transport.isStream ? SIPConnectionID(rawValue: 7) : nil)
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
