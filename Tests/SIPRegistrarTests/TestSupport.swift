import Logging
import SIPAuth
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import SIPTransport
import Testing

/// Users every harness knows, with their passwords (`secret-USER`, what ``SIPTestPhone`` sends by
/// default).
enum TestUsers {
    static let domain = "example.net"
    static let passwords = ["69": "secret-69", "70": "secret-70", "71": "secret-71"]
}

/// A registrar over in-memory stores with a running ``BindingWriter`` and a manual clock.
struct RegistrarHarness {
    let clock: ManualClock
    let credentials: InMemoryCredentialStore
    let store: any LocationStore
    let writer: BindingWriter
    let location: LocationService
    let limiter: AuthFailureLimiter
    let registrar: Registrar
    let logs: LogCapture

    var now: SIPTimestamp { clock.now() }

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
    challengeKind: DigestChallengeKind = .wwwAuthenticate,
    store: (any LocationStore)? = nil,
    uncachedCredentials: Bool = false,
    provisionedLines: (any ProvisionedLineLookup)? = nil,
    _ body: (RegistrarHarness) async throws -> Void
) async throws {
    let clock = ManualClock()
    let secret = DigestServerSecret()
    var digest = DigestConfiguration()
    digest.realm = TestUsers.domain
    configureDigest(&digest)
    var lockout = AuthFailureLimiterConfiguration()
    configureLockout(&lockout)

    let credentials = InMemoryCredentialStore()
    for (user, password) in TestUsers.passwords {
        try await credentials.addUser(
            SIPUserCredential(user: user, domain: TestUsers.domain, password: password), now: clock.now())
    }
    let store = store ?? InMemoryLocationStore()
    let location = LocationService()
    let writer = BindingWriter(store: store, location: location)
    let limiter = try AuthFailureLimiter(configuration: lockout, clock: clock)
    let logs = LogCapture(label: "registrar-tests")
    let registrar = Registrar(
        configuration: SIPRegistrarConfiguration(
            domains: [TestUsers.domain], policy: policy, realm: TestUsers.domain, requireAORMatch: requireAORMatch,
            challengeKind: challengeKind),
        location: location, credentials: uncachedCredentials ? UncachedCredentialStore(inner: credentials) : credentials,
        writer: writer,
        challenger: try DigestChallenger(configuration: digest, secret: secret, clock: clock),
        verifier: try DigestVerifier(configuration: digest, secret: secret, clock: clock),
        limiter: limiter, provisionedLines: provisionedLines, logger: logs.logger, clock: clock)
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

extension SIPTestPhone {
    /// Registers with `registrar` directly, as the transaction layer would hand it the request
    /// (see ``SIPTestPhone/register(contacts:expires:headers:to:requestURI:through:)``).
    mutating func register(
        _ registrar: Registrar, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil
    ) async throws -> SIPResponse {
        let source = self.source
        return try await register(
            contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI
        ) { await registrar.handleRegister($0, source: source) }
    }

    /// Sends `registrar` one REGISTER answering `challenge` with the next nonce count.
    mutating func send(
        _ registrar: Registrar, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil, answering challenge: SIPAuthHeader
    ) async throws -> SIPResponse {
        let source = self.source
        return try await send(
            contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI, answering: challenge
        ) { await registrar.handleRegister($0, source: source) }
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

/// Waits, yielding (never sleeping), until `condition` holds; fails after a bounded number of rounds.
func waitUntil(_ what: String, _ condition: () -> Bool) async {
    for _ in 0..<2_000_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("\(what) never became true")
}

/// A credential store without an in-memory cache (as a remote database would be): every lookup
/// goes through the async `password(user:domain:)`.
struct UncachedCredentialStore: CredentialStore {
    let inner: InMemoryCredentialStore
    func addUser(_ credential: SIPUserCredential, now: SIPTimestamp) async throws(StorageError) -> SIPUserRecord {
        try await inner.addUser(credential, now: now)
    }
    func setPassword(user: String, domain: String, password: String) async throws(StorageError) {
        try await inner.setPassword(user: user, domain: domain, password: password)
    }
    func removeUser(user: String, domain: String) async throws(StorageError) {
        try await inner.removeUser(user: user, domain: domain)
    }
    func users(domain: String?) async throws(StorageError) -> [SIPUserRecord] { try await inner.users(domain: domain) }
    func password(user: String, domain: String) async throws(StorageError) -> String? {
        try await inner.password(user: user, domain: domain)
    }
    func importUsers(_ entries: [UserImportEntry], now: SIPTimestamp) async throws(StorageError) -> UserImportSummary {
        try await inner.importUsers(entries, now: now)
    }
}
