import Logging
import NIOCore
import SIPAuth
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTransport
import Synchronization
import Testing

/// One manual clock for everything time-dependent in a test: nonces and lockouts (``AuthClock``)
/// and binding expiry (`now:` closures giving ``SIPTimestamp``). Moves only when told.
final class TestClock: AuthClock {
    /// 2023-11-14T22:13:20Z.
    static let start: UInt64 = 1_700_000_000_000
    private let milliseconds = Mutex<UInt64>(TestClock.start)

    func now() -> AuthInstant { AuthInstant(milliseconds: milliseconds.withLock { $0 }) }

    var timestamp: SIPTimestamp { SIPTimestamp(millisecondsSince1970: Int64(now().milliseconds)) }

    func advance(seconds: Int) { milliseconds.withLock { $0 += UInt64(seconds) * 1000 } }
}

/// Collects log events, so tests can check the structured registration events and that no
/// secret is ever logged.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        var text: String { "\(message) " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }

    /// The registration events (`register.*`).
    var events: [Record] { all.filter { $0.metadata["event"]?.hasPrefix("register.") ?? false } }

    var logger: Logger {
        Logger(label: "registrar-tests") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { $1 }
            let record = Record(
                level: event.level, message: event.message.description,
                metadata: all.mapValues { "\($0)" })
            capture.records.withLock { $0.append(record) }
        }
    }
}

/// Users every harness knows, with their passwords.
enum TestUsers {
    static let domain = "example.net"
    static let passwords = ["69": "secret-69", "70": "secret-70", "71": "secret-71"]
}

/// A registrar over in-memory stores with a running ``BindingWriter`` and a manual clock.
struct RegistrarHarness {
    let clock: TestClock
    let credentials: InMemoryCredentialStore
    let store: any LocationStore
    let writer: BindingWriter
    let location: LocationService
    let limiter: AuthFailureLimiter
    let registrar: Registrar
    let logs: LogCapture

    var now: SIPTimestamp { clock.timestamp }

    /// The bindings the store holds now, in storage order.
    func stored() async throws -> [Binding] { try await store.unexpiredBindings(at: now) }

    /// Fails the test unless the location service and the durable store hold the same bindings.
    func expectConsistent(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let durable = Set(try await stored())
        let memory = Set(location.allContacts(now: now))
        #expect(durable == memory, "location service and store differ", sourceLocation: sourceLocation)
    }

    /// The one binding the store holds; fails the test when there is not exactly one.
    func onlyBinding(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Binding {
        let all = try await stored()
        #expect(all.count == 1, "expected one binding, found \(all.count)", sourceLocation: sourceLocation)
        return try #require(all.first, sourceLocation: sourceLocation)
    }
}

/// Runs `body` with a fresh registrar; the binding writer's commit loop runs in a child task and
/// is closed (and awaited) afterwards.
func withRegistrar(
    digest configureDigest: (inout DigestConfiguration) -> Void = { _ in },
    lockout configureLockout: (inout AuthFailureLimiterConfiguration) -> Void = { _ in },
    policy: RegistrarPolicy = RegistrarPolicy(),
    requireAORMatch: Bool = true,
    store: (any LocationStore)? = nil,
    _ body: (RegistrarHarness) async throws -> Void
) async throws {
    let clock = TestClock()
    let secret = DigestServerSecret()
    var digest = DigestConfiguration()
    digest.realm = TestUsers.domain
    configureDigest(&digest)
    var lockout = AuthFailureLimiterConfiguration()
    configureLockout(&lockout)

    let credentials = InMemoryCredentialStore()
    for (user, password) in TestUsers.passwords {
        try await credentials.addUser(
            SIPUserCredential(user: user, domain: TestUsers.domain, password: password), now: clock.timestamp)
    }
    let store = store ?? InMemoryLocationStore()
    let location = LocationService()
    let writer = BindingWriter(store: store, location: location)
    let limiter = try AuthFailureLimiter(configuration: lockout, clock: clock)
    let logs = LogCapture()
    let registrar = Registrar(
        configuration: SIPRegistrarConfiguration(
            domains: [TestUsers.domain], policy: policy, realm: TestUsers.domain, requireAORMatch: requireAORMatch),
        location: location, credentials: credentials, writer: writer,
        challenger: try DigestChallenger(configuration: digest, secret: secret, clock: clock),
        verifier: try DigestVerifier(configuration: digest, secret: secret, clock: clock),
        limiter: limiter, logger: logs.logger, now: { clock.timestamp })
    let harness = RegistrarHarness(
        clock: clock, credentials: credentials, store: store, writer: writer, location: location, limiter: limiter,
        registrar: registrar, logs: logs)

    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await writer.run() }
        do {
            try await body(harness)
        } catch {
            writer.close()
            throw error
        }
        writer.close()
        try await group.waitForAll()
    }
}

/// A phone on the wire: builds REGISTERs as text, parses them with ``SIPMessageParser`` and
/// answers digest challenges with ``DigestComputation`` the way a SIP client does (RFC 7616
/// §3.4: qop=auth, a cnonce, an increasing nonce count).
struct Phone {
    /// The To/From user (the line, i.e. the AOR's user).
    var user: String
    /// The digest username, `user/INSTRUMENT` for a line appearance.
    var authUser: String
    var password: String
    var domain = TestUsers.domain
    var requestURI = "sip:example.net"
    var callID: String
    var cseq: UInt32 = 0
    var source: SIPSource
    /// Which offered algorithm to answer; nil answers the first challenge (as SIPp does).
    var algorithm: DigestAlgorithm?
    /// The challenge being answered and the last nonce count used with it.
    var challenge: SIPAuthHeader?
    var nonceCount = 0
    var cnonce = "0a4f113b"

    init(
        user: String = "69", authUser: String? = nil, password: String? = nil, host: String = "192.0.2.10",
        port: Int = 5060, transport: SIPTransportProtocol = .udp, connectionID: UInt64? = nil,
        callID: String? = nil
    ) throws {
        self.user = user
        self.authUser = authUser ?? "\(user)/0000DEADBEEF"
        self.password = password ?? TestUsers.passwords[user] ?? "no-password"
        self.callID = callID ?? "reg-\(user)-\(UInt32.random(in: 0...UInt32.max))@\(host)"
        self.source = try Phone.source(host: host, port: port, transport: transport, connectionID: connectionID)
    }

    static func source(host: String, port: Int, transport: SIPTransportProtocol = .udp, connectionID: UInt64? = nil)
        throws -> SIPSource
    {
        SIPSource(
            transport: transport, remote: try SocketAddress(ipAddress: host, port: port),
            local: try SocketAddress(ipAddress: "192.0.2.1", port: transport == .tls ? 5061 : 5060),
            connectionID: connectionID.map(SIPConnectionID.init(rawValue:)))
    }

    /// The contact this phone registers by default.
    var defaultContact: String {
        let host = source.remote.ipAddress ?? "192.0.2.10"
        return "<sip:\(user)@\(host):\(source.remote.port ?? 5060)>"
    }

    /// A REGISTER as it would arrive on the wire, parsed. `contacts: nil` sends the default
    /// contact; `[]` sends none (a query).
    func request(
        cseq: UInt32, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil, authorization: String? = nil
    ) throws -> SIPRequest {
        let uri = requestURI ?? self.requestURI
        let to = to ?? "<sip:\(user)@\(domain)>"
        let host = source.remote.ipAddress ?? "192.0.2.10"
        var lines = [
            "REGISTER \(uri) SIP/2.0",
            "Via: SIP/2.0/\(source.transport.rawValue) \(host):\(source.remote.port ?? 5060);branch=z9hG4bK-\(user)-\(cseq);rport",
            "Max-Forwards: 70",
            "From: <sip:\(user)@\(domain)>;tag=f\(user)",
            "To: \(to)",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) REGISTER",
            "User-Agent: TestPhone/1.0",
        ]
        for contact in contacts ?? [defaultContact] { lines.append("Contact: \(contact)") }
        if let expires { lines.append("Expires: \(expires)") }
        lines.append(contentsOf: headers)
        if let authorization { lines.append("Authorization: \(authorization)") }
        lines.append("Content-Length: 0")
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n"
        guard case .request(let request) = try SIPMessageParser().parse(Array(text.utf8), framing: .datagram) else {
            throw SIPParseError(.malformedStartLine, "not a request")
        }
        return request
    }

    /// The Authorization value answering `challenge` (RFC 7616 §3.4), computed as a client does.
    func authorization(
        _ challenge: SIPAuthHeader, nonceCount: Int, username: String? = nil, password: String? = nil,
        requestURI: String? = nil, algorithm: DigestAlgorithm? = nil
    ) -> String {
        DigestClient.credentials(
            answering: challenge, username: username ?? authUser, password: password ?? self.password,
            method: "REGISTER", digestURI: requestURI ?? self.requestURI, nonceCount: UInt32(nonceCount),
            cnonce: cnonce, algorithm: algorithm
        ).description
    }

    /// Picks the challenge this phone answers from a 401.
    func pickChallenge(_ response: SIPResponse) throws -> SIPAuthHeader {
        let offered = try response.wwwAuthenticates()
        if let algorithm {
            return try #require(offered.first { $0.algorithm.flatMap(DigestAlgorithm.init(token:)) == algorithm })
        }
        return try #require(offered.first)
    }

    /// Registers like a phone: answers a 401 once (and a `stale=true` 401 once more), reusing a
    /// known nonce with the next nonce count. Returns the final response.
    mutating func register(
        _ registrar: Registrar, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil
    ) async throws -> SIPResponse {
        var response: SIPResponse
        if let challenge {
            response = try await send(registrar, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI, answering: challenge)
        } else {
            cseq += 1
            response = await registrar.handleRegister(
                try request(cseq: cseq, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI),
                source: source)
        }
        var rounds = 0
        while response.statusCode == 401, rounds < 2 {
            rounds += 1
            let fresh = try pickChallenge(response)
            challenge = fresh
            nonceCount = 0
            response = try await send(registrar, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI, answering: fresh)
        }
        return response
    }

    /// Sends one REGISTER answering `challenge` with the next nonce count.
    mutating func send(
        _ registrar: Registrar, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil, answering challenge: SIPAuthHeader
    ) async throws -> SIPResponse {
        cseq += 1
        nonceCount += 1
        let auth = authorization(challenge, nonceCount: nonceCount, requestURI: requestURI)
        let request = try request(
            cseq: cseq, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI,
            authorization: auth)
        return await registrar.handleRegister(request, source: source)
    }
}

extension SIPResponse {
    /// The Contact values of a 200 OK, parsed.
    var contactList: [SIPContact] {
        get throws { try contacts().contacts }
    }

    /// The wire text.
    var text: String { String(decoding: serialized(), as: UTF8.self) }
}

/// Builds a binding for LocationService / planner tests.
func makeBinding(
    aor: String = "sip:69@example.net", contact: String = "sip:69@192.0.2.10:5060", expiresIn seconds: Int64 = 3600,
    q: Int = 1000, callID: String = "call-1", cseq: UInt32 = 1, instrument: String? = "0000DEADBEEF",
    instance: String? = nil, regID: Int? = nil, at now: SIPTimestamp = SIPTimestamp(millisecondsSince1970: Int64(TestClock.start))
) -> Binding {
    Binding(
        aor: aor, contact: contact, expiresAt: now.adding(seconds: seconds), q: q, callID: callID, cseq: cseq,
        instrument: instrument.flatMap { SIPInstrumentID($0) }, instance: instance, regID: regID,
        source: "192.0.2.10:5060", transport: "udp", localListener: "192.0.2.1:5060", registeredAt: now, updatedAt: now)
}

/// Waits, yielding (never sleeping), until `condition` holds; fails after a bounded number of rounds.
func waitUntil(_ what: String, _ condition: () -> Bool) async {
    for _ in 0..<2_000_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("\(what) never became true")
}
