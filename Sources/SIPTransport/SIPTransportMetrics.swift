import Metrics
import SIPCore

/// The transport's swift-metrics instruments. Labels stay low-cardinality: transport, message
/// kind (request/response), drop or parse-error reason.
///
/// - `sip_transport_messages_received_total{transport,kind}`
/// - `sip_transport_messages_sent_total{transport,kind}`
/// - `sip_transport_parse_errors_total{transport,reason}` (reason = SIPParseError code)
/// - `sip_transport_dropped_total{transport,reason}` (unanswerable input, limits, send failures)
/// - `sip_transport_connections_open{transport}` (gauge, TCP and TLS)
struct SIPTransportMetrics: Sendable {
    private struct PerTransport: Sendable {
        let receivedRequests: Counter
        let receivedResponses: Counter
        let sentRequests: Counter
        let sentResponses: Counter
        let connections: Meter
    }
    private let byTransport: [SIPTransportProtocol: PerTransport]

    /// Creates the instruments from the currently bootstrapped `MetricsSystem`.
    init() {
        var byTransport: [SIPTransportProtocol: PerTransport] = [:]
        for transport in SIPTransportProtocol.allCases {
            let t = ("transport", transport.description)
            byTransport[transport] = PerTransport(
                receivedRequests: Counter(label: "sip_transport_messages_received_total", dimensions: [t, ("kind", "request")]),
                receivedResponses: Counter(label: "sip_transport_messages_received_total", dimensions: [t, ("kind", "response")]),
                sentRequests: Counter(label: "sip_transport_messages_sent_total", dimensions: [t, ("kind", "request")]),
                sentResponses: Counter(label: "sip_transport_messages_sent_total", dimensions: [t, ("kind", "response")]),
                connections: Meter(label: "sip_transport_connections_open", dimensions: [t])
            )
        }
        self.byTransport = byTransport
    }

    func received(_ transport: SIPTransportProtocol, _ message: SIPMessage) {
        guard let m = byTransport[transport] else { return }
        if case .request = message { m.receivedRequests.increment() } else { m.receivedResponses.increment() }
    }

    func sent(_ transport: SIPTransportProtocol, _ message: SIPMessage) {
        guard let m = byTransport[transport] else { return }
        if case .request = message { m.sentRequests.increment() } else { m.sentResponses.increment() }
    }

    func parseError(_ transport: SIPTransportProtocol, _ error: SIPParseError) {
        Counter(
            label: "sip_transport_parse_errors_total",
            dimensions: [("transport", transport.description), ("reason", error.code.description)]
        ).increment()
    }

    func dropped(_ transport: SIPTransportProtocol, reason: String) {
        Counter(
            label: "sip_transport_dropped_total",
            dimensions: [("transport", transport.description), ("reason", reason)]
        ).increment()
    }

    func connectionOpened(_ transport: SIPTransportProtocol) { byTransport[transport]?.connections.increment() }

    func connectionClosed(_ transport: SIPTransportProtocol) { byTransport[transport]?.connections.decrement() }
}

extension SIPMessage {
    /// "request" or "response", for metric labels.
    var kind: String {
        switch self {
        case .request: "request"
        case .response: "response"
        }
    }
}
