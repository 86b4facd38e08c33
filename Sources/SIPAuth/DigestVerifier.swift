public import SIPCore
import Synchronization

/// Checks digest credentials of a SIP request (RFC 3261 §22.4; RFC 7616 §3.4–3.5; RFC 2617
/// §3.2.2; RFC 8760).
///
/// Order of checks: form of the credentials, realm, algorithm (must be configured: no downgrade
/// to an algorithm we did not offer), qop policy, `uri` against the Request-URI, `opaque`, nonce
/// MAC; then the digest itself, computed against the real password or — for an unknown user — a
/// random dummy password, so both take the same work; the response is compared in constant
/// time. Only then the nonce's age (→ stale) and its nonce count (→ stale when replayed) are
/// judged, following RFC 2617 §3.2.1: `stale=true` only when the digest was right. Counts are
/// recorded only for right digests.
///
/// Thread-safe; the nonce-count table sits behind a mutex. Pure logic: no I/O, no storage — the
/// caller fetches the password (of ``SIPAuthHeader/digestUsername``'s user part) first.
public final class DigestVerifier: Sendable {
    public let configuration: DigestConfiguration
    public let nonces: DigestNonceIssuer

    private let table: Mutex<NonceCountTable>
    private let dummyPassword: String
    private let allowed: Set<DigestAlgorithm>

    /// - Parameters:
    ///   - configuration: checked with ``DigestConfiguration/validate()``.
    ///   - secret: the same secret the ``DigestChallenger`` uses.
    ///   - clock: the same clock the challenger uses (default ``SystemClock``).
    public init(
        configuration: DigestConfiguration,
        secret: DigestServerSecret,
        clock: any SIPClock = SystemClock()
    ) throws(DigestConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.nonces = DigestNonceIssuer(secret: secret, lifetime: configuration.nonceLifetime, clock: clock)
        self.allowed = Set(configuration.algorithms)
        let start = DigestNonceIssuer.milliseconds(clock.now())
        self.table = Mutex(
            NonceCountTable(
                capacity: configuration.maxTrackedNonces,
                reorderWindow: configuration.nonceCountReorderWindow,
                lifetimeMilliseconds: nonces.lifetimeMilliseconds,
                watermark: configuration.acceptsNoncesIssuedBeforeStart ? 0 : (start > 0 ? start - 1 : 0)))
        var generator = SystemRandomNumberGenerator()
        self.dummyPassword = Hex.encode((0..<16).map { _ in generator.next() as UInt8 })
    }

    /// Checks `credentials` for a request.
    ///
    /// - Parameters:
    ///   - method: the request's method (A2 = `method:uri`).
    ///   - requestURI: the Request-URI; the credentials' `uri` must be equivalent to it.
    ///   - credentials: one `Authorization`/`Proxy-Authorization` value (see
    ///     ``credentials(in:realm:)`` to pick one).
    ///   - realm: the realm this request is authenticated in (default
    ///     ``DigestConfiguration/realm``).
    ///   - password: the user's password, or nil when the user is unknown.
    public func verify(
        method: SIPMethod,
        requestURI: SIPURI,
        credentials: SIPAuthHeader,
        realm: String? = nil,
        password: String?
    ) -> DigestVerification {
        let checksURI = configuration.verifiesDigestURI
        return verify(
            method: method.rawValue,
            digestURICheck: { text in
                guard checksURI else { return nil }
                guard let uri = try? SIPURI(parsing: text) else { return .malformedParameter }
                return uri == requestURI ? nil : .uriMismatch
            }, credentials: credentials, realm: realm, password: password)
    }

    /// Checks `credentials` for an HTTP request (RFC 7616 §3.4: A2 = `method:request-target`):
    /// the credentials' `uri` must be the request-target exactly (§3.4.6). The same nonces,
    /// nonce counts and rules as for SIP.
    public func verify(
        httpMethod: String,
        requestTarget: String,
        credentials: SIPAuthHeader,
        realm: String? = nil,
        password: String?
    ) -> DigestVerification {
        verify(
            method: httpMethod, digestURICheck: { $0 == requestTarget ? nil : .uriMismatch }, credentials: credentials, realm: realm,
            password: password)
    }

    private func verify(
        method: String,
        digestURICheck: (String) -> DigestFailureReason?,
        credentials: SIPAuthHeader,
        realm: String?,
        password: String?
    ) -> DigestVerification {
        let realm = realm ?? configuration.realm
        let parsed: DigestCredentials
        switch DigestCredentials.parse(credentials) {
        case .credentials(let value): parsed = value
        case .refused(let reason): return .failure(reason)
        }
        guard parsed.realm == realm else { return .failure(.realmMismatch) }
        guard allowed.contains(parsed.algorithm) else { return .failure(.unsupportedAlgorithm) }
        if parsed.qop == nil, configuration.qopPolicy == .requireAuth { return .failure(.qopRequired) }
        if let failure = digestURICheck(parsed.uri) { return .failure(failure) }
        if configuration.includesOpaque, let opaque = parsed.opaque, opaque != nonces.opaque {
            return .failure(.opaqueMismatch)
        }
        let now = nonces.clock.now()
        let (validity, key) = nonces.inspect(parsed.nonce, realm: realm, now: now)
        guard validity != .invalid, let key else { return .failure(.invalidNonce) }

        let expected = DigestComputation.response(
            algorithm: parsed.algorithm, username: parsed.username, realm: realm,
            password: password ?? dummyPassword, method: method, digestURI: parsed.uri,
            nonce: parsed.nonce, nonceCount: parsed.nonceCountText, cnonce: parsed.cnonce, qop: parsed.qop)
        let matches = ConstantTime.equalsLowercasing(expected: expected.utf8, received: parsed.response.utf8)
        guard matches, password != nil else { return .failure(.invalidCredentials) }

        let username = SIPAuthUsername(parsed.username)
        guard validity == .valid else { return .stale(username: username, reason: .nonceExpired) }
        let check = table.withLock {
            $0.record(key, nonceCount: parsed.nonceCount, now: DigestNonceIssuer.milliseconds(now))
        }
        switch check {
        case .accepted: return .success(username: username)
        case .replayed: return .stale(username: username, reason: .nonceCountReplayed)
        case .unknownHistory: return .stale(username: username, reason: .nonceHistoryUnknown)
        }
    }

    /// Picks the credentials to check from all `Authorization` (or `Proxy-Authorization`) values
    /// of a request (RFC 3261 §22.4: one per realm): the first Digest credentials for `realm`,
    /// else the first Digest credentials, else nil.
    public static func credentials(in headers: [SIPAuthHeader], realm: String) -> SIPAuthHeader? {
        let digest = headers.filter(\.isDigest)
        return digest.first { $0.realm == realm } ?? digest.first
    }

    /// How many nonces the replay table holds now.
    public var trackedNonces: Int { table.withLock { $0.count } }

    /// How many nonces were pushed out of the full replay table so far.
    public var nonceEvictions: Int { table.withLock { $0.evictions } }
}
