import Logging
import NIOCore
import SIPAuth
import SIPCore
import SIPProxy
import SIPStorage
import SIPTestSupport
import SIPTransaction
import SIPTransport

/// The proxy's processors in a chain on a real transaction layer, with a fake transport and a
/// manual clock: requests go in as they would from the transport, and what the proxy sends
/// downstream and upstream is read back from the ``FakeSender``.
final class ProxyHarness: Sendable {
    static let domain = "example.net"
    static let users = ["69": "secret-69", "70": "secret-70", "71": "secret-71"]

    let clock = ManualClock()
    let sender = FakeSender()
    let location = LocationService()
    let credentials = InMemoryCredentialStore()
    let sessions = ProxySessions()
    let flowKey = FlowTokenKey.random()
    let listeners: ProxyListeners
    let layer: SIPTransactionLayer
    let limiter: AuthFailureLimiter
    let challenger: DigestChallenger
    let log = LogCapture(label: "proxy-tests")

    init(policy configure: (inout ProxyAuthPolicy) -> Void = { _ in }, bindings: [Binding] = []) async throws {
        let identity = SIPLocalIdentity(domains: [Self.domain], listenerHosts: ["192.0.2.1"])
        listeners = ProxyListeners(
            listeners: [(.udp, "192.0.2.1", 5060), (.tcp, "192.0.2.1", 5060)], identity: identity)
        for (user, password) in Self.users {
            _ = try await credentials.addUser(
                SIPUserCredential(user: user, domain: Self.domain, password: password), now: clock.now())
        }
        location.load(bindings)
        var policy = ProxyAuthPolicy(realm: Self.domain)
        configure(&policy)
        var digest = DigestConfiguration()
        digest.realm = Self.domain
        let secret = DigestServerSecret()
        challenger = try DigestChallenger(configuration: digest, secret: secret, clock: clock)
        var lockout = AuthFailureLimiterConfiguration()
        lockout.maxFailures = 3
        limiter = try AuthFailureLimiter(configuration: lockout, clock: clock)
        layer = try SIPTransactionLayer(sender: sender, scheduler: clock, logger: log.logger)
        let chain = SIPProcessorChain(
            [
                CancelProcessor(handler: sessions),
                ProxyRequireProcessor(),
                LoopDetectionProcessor(listeners: listeners),
                RouteProcessor(listeners: listeners, flowKey: flowKey),
                ProxyAuthProcessor(
                    policy: policy, identity: identity, credentials: credentials, challenger: challenger,
                    verifier: try DigestVerifier(configuration: digest, secret: secret, clock: clock), limiter: limiter),
                TargetProcessor(
                    listeners: listeners, location: location, credentials: credentials, relay: policy.relay,
                    clock: clock),
                ForwardingProcessor(
                    listeners: listeners, flowKey: flowKey, resolver: SIPTargetResolver(), scheduler: clock,
                    sessions: sessions, logger: log.logger),
                NotImplementedProcessor(),
            ],
            statelessHandler: StatelessForwarder(listeners: listeners, flowKey: flowKey, sender: sender, logger: log.logger),
            logger: log.logger)
        layer.setUser(chain)
    }

    /// The watcher / caller: 203.0.113.5:5070 over UDP.
    static func caller(_ transport: SIPTransportProtocol = .udp) -> SIPSource {
        try! makeSource(host: "203.0.113.5", port: 5070, transport: transport, connectionID: transport.isStream ? 9 : nil)
    }

    /// A line of phone 0000DEADBEEF registered over UDP from 198.51.100.N:5060 (its flow).
    static func line(_ user: String, index: Int, instrument: String = "0000DEADBEEF", q: Int = 1000) -> Binding {
        makeBinding(
            user: user, index: index, contact: "sip:\(user)@10.0.0.\(index + 1):5060", q: q, instrument: instrument,
            path: [], source: "198.51.100.\(index + 1):5060", transport: "udp")
    }

    func receive(_ text: String, from source: SIPSource = ProxyHarness.caller()) throws {
        guard case .request(let request) = try SIPMessageParser().parse(Array(text.utf8), framing: .datagram) else {
            throw SendFailure()
        }
        layer.receive(SIPIncomingMessage(message: .request(request), source: source))
    }

    /// A downstream answer to a request the proxy sent.
    func answer(_ request: SIPRequest, _ status: Int, toTag: String = "t1", from source: SIPSource) {
        var response = SIPResponse(answering: request, statusCode: status, toTag: status > 100 ? toTag : nil)
        if status == 200, request.method != .cancel { response.headers.append(.contact, "<\(request.uri)>") }
        layer.receive(SIPIncomingMessage(message: .response(response), source: source))
    }

    /// Requests sent downstream, in order.
    var forwarded: [(request: SIPRequest, destination: SIPDestination)] {
        sender.sent.compactMap { if case .request(let r, let d) = $0 { (r, d) } else { nil } }
    }

    /// Responses sent upstream, in order.
    var upstream: [SIPResponse] {
        sender.sent.compactMap { if case .response(let r, _) = $0 { r } else { nil } }
    }

    static func subscribe(
        _ uri: String, from user: String = "71", callID: String = "sub-1", cseq: Int = 1, branch: String = "z9hG4bK-w1",
        headers: [String] = []
    ) -> String {
        ([
            "SUBSCRIBE \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP 203.0.113.5:5070;branch=\(branch);rport",
            "Max-Forwards: 70",
            "From: <sip:\(user)@example.net>;tag=w1",
            "To: <\(uri)>",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) SUBSCRIBE",
            "Contact: <sip:\(user)@203.0.113.5:5070>",
            "Event: dialog",
            "Expires: 600",
        ] + headers + ["Content-Length: 0", "", ""]).joined(separator: "\r\n")
    }

    static func request(
        _ method: String, _ uri: String, from: String = "<sip:71@example.net>;tag=f1", to: String? = nil,
        callID: String = "call-1", cseq: Int = 1, branch: String = "z9hG4bK-r1", vias: [String] = [],
        maxForwards: Int = 70, headers: [String] = []
    ) -> String {
        ([
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP 203.0.113.5:5070;branch=\(branch);rport",
        ] + vias.map { "Via: \($0)" } + [
            "Max-Forwards: \(maxForwards)",
            "From: \(from)",
            "To: \(to ?? "<\(uri)>")",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
        ] + headers + ["Content-Length: 0", "", ""]).joined(separator: "\r\n")
    }
}
