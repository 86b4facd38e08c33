// The server's request path without sockets: parse → essentials (ingress) → transaction layer →
// processor chain → registrar → group commit (in-memory store) → response handed to the sender.
// Used by the RegistrarBenchmarks (ordo-one) and by RegistrarPathProfile (valgrind, perf).
import Logging
import NIOCore
import SIPAuth
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTransaction
import SIPTransport
import Synchronization

/// A sender that only counts the responses by status (the transport's cost is not measured here).
final class CountingSender: SIPImmediateMessageSender {
    let counts = Mutex<[Int: Int]>([:])

    func sendImmediately(_ message: SIPMessage, to destination: SIPDestination, onFailure: @escaping @Sendable (any Error) -> Void) {}
    func sendResponseImmediately(_ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void) {
        counts.withLock { $0[response.statusCode, default: 0] += 1 }
    }
    func send(_ message: SIPMessage, to destination: SIPDestination) async throws {}
    func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws {}

    func count(_ status: Int) -> Int { counts.withLock { $0[status] ?? 0 } }
}

/// A timer scheduler that never fires (Timer J would only remove finished transactions).
struct IdleScheduler: SIPTimerScheduler {
    struct Timer: SIPScheduledTimer { func cancel() {} }
    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any SIPScheduledTimer { Timer() }
}

/// The registrar path with in-memory stores and `users` users `1000…`, password `pw<user>`.
public final class RegistrarPath: Sendable {
    public static let domain = "example.net"
    let sender = CountingSender()
    let layer: SIPTransactionLayer
    let writer: BindingWriter
    let parser = SIPMessageParser()
    let challenger: DigestChallenger
    let source: SIPSource

    public init(users: Int) async throws {
        let credentials = InMemoryCredentialStore()
        let now = SIPTimestamp.now()
        for user in 0..<users {
            try await credentials.addUser(
                SIPUserCredential(user: String(1000 + user), domain: Self.domain, password: "pw\(1000 + user)"), now: now)
        }
        let location = LocationService()
        writer = BindingWriter(store: InMemoryLocationStore(), location: location)
        var digest = DigestConfiguration()
        digest.realm = Self.domain
        digest.algorithms = [.md5]
        let secret = DigestServerSecret()
        challenger = try DigestChallenger(configuration: digest, secret: secret)
        var logger = Logger(label: "registrar-path")
        logger.logLevel = .notice
        let registrar = Registrar(
            configuration: SIPRegistrarConfiguration(domains: [Self.domain], realm: Self.domain),
            location: location, credentials: credentials, writer: writer, challenger: challenger,
            verifier: try DigestVerifier(configuration: digest, secret: secret),
            limiter: try AuthFailureLimiter(configuration: AuthFailureLimiterConfiguration()), logger: logger)
        let identity = SIPLocalIdentity(domains: [Self.domain], listenerHosts: ["127.0.0.1"])
        let options = OptionsProcessor(identity: identity)
        let chain = SIPProcessorChain(
            [
                MaxForwardsProcessor(identity: identity, options: options), options, CancelProcessor(),
                RegistrarProcessor(registrar: registrar), NotImplementedProcessor(),
            ], logger: logger)
        layer = try SIPTransactionLayer(sender: sender, scheduler: IdleScheduler(), user: chain, logger: logger)
        source = SIPSource(
            transport: .udp, remote: try SocketAddress(ipAddress: "127.0.0.1", port: 35080),
            local: try SocketAddress(ipAddress: "127.0.0.1", port: 35060))
    }

    /// Runs the group-commit loop; keep it running (in a task) while registrations are sent.
    public func runWriter() async throws { try await writer.run() }
    public func stopWriter() { writer.close() }

    /// A REGISTER as SIPp's register_auth.xml sends it.
    public static func register(user: Int, callID: String, cseq: Int, branch: String, authorization: String?) -> [UInt8] {
        var text = "REGISTER sip:\(domain) SIP/2.0\r\n"
        text += "Via: SIP/2.0/UDP 127.0.0.1:35080;branch=\(branch);rport\r\n"
        text += "From: <sip:\(user)@\(domain)>;tag=\(callID)\r\n"
        text += "To: <sip:\(user)@\(domain)>\r\n"
        text += "Call-ID: \(callID)\r\n"
        text += "CSeq: \(cseq) REGISTER\r\n"
        text += "Contact: <sip:\(user)@127.0.0.1:35070>\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += "Max-Forwards: 70\r\nExpires: 3600\r\nUser-Agent: SIPp\r\nContent-Length: 0\r\n\r\n"
        return Array(text.utf8)
    }

    /// Unauthenticated REGISTERs (each answered 401), one per user, fresh branches.
    public func challengeRequests(count: Int, round: Int) -> [[UInt8]] {
        (0..<count).map { i in
            Self.register(
                user: 1000 + i, callID: "c\(round)-\(i)", cseq: 1, branch: "z9hG4bKc\(round)x\(i)", authorization: nil)
        }
    }

    /// Authenticated REGISTERs answering a fresh challenge, one per user (instrument in the auth
    /// user, as desk phones send), built ahead of time so the client's digest is not measured.
    public func authenticatedRequests(count: Int, round: Int) throws -> [[UInt8]] {
        try (0..<count).map { i in
            // Each phone answers its own challenge (a nonce's count may be used once).
            let challenge = try `require`(challenger.headerFields(kind: .wwwAuthenticate, stale: false).first)
            let header = try SIPAuthHeader(parsing: challenge.value)
            let user = 1000 + i
            let credentials = DigestClient.credentials(
                answering: header, username: "\(user)/0000DEAD\(String(i % 10000).leftPadded(4))",
                password: "pw\(user)", method: "REGISTER", digestURI: "sip:\(Self.domain)", nonceCount: UInt32(round + 1),
                cnonce: "0a4f113b")
            return Self.register(
                user: user, callID: "a\(round)-\(i)", cseq: 2, branch: "z9hG4bKa\(round)x\(i)",
                authorization: credentials.description)
        }
    }

    /// Parses `bytes` and runs the request through the path the transport runs (essentials,
    /// Via stamp, response address), then the transaction layer and the chain.
    @inline(never)
    public func receive(_ bytes: [UInt8]) {
        guard case .request(var request) = try? parser.parse(bytes, framing: .datagram),
            var essentials = try? SIPRequestEssentials(parsing: request)
        else { fatalError("benchmark message did not parse") }
        SIPViaProcessing.stamp(&essentials, headers: &request.headers, remote: source.remote)
        var source = self.source
        source.responseAddress = SIPResponseRouting.datagramDestination(topVia: essentials.topVia, source: source)
        layer.receive(SIPIncomingMessage(message: .request(request), source: source, essentials: essentials))
    }

    /// Responses sent with `status` so far.
    public func sent(_ status: Int) -> Int { sender.count(status) }
}

struct Missing: Error {}

func `require`<T>(_ value: T?) throws -> T {
    guard let value else { throw Missing() }
    return value
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
