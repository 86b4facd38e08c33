import Foundation
public import SIPAuth
public import SIPCore
public import SIPStorage

/// HTTP authentication of configuration requests on the password port (RFC 6011 §2.4.1;
/// RFC 7616 digest with SIPAuth's nonces and verifier; RFC 7617 Basic over TLS when allowed).
///
/// The credentials are a line's: username `USER` or `USER/MAC` (the SIP auth user), password that
/// user's SIP password, realm the SIP realm. With `sfua-user` in the request the username must be
/// exactly that value (§2.4.1). The user must have a line on the requested MAC, and a `/MAC`
/// suffix must name that MAC. Every way this can fail — unknown MAC, no such line, wrong
/// password, another phone's line — is the same failure: a fresh 401 challenge, counted against
/// the source (``AuthFailureLimiter``: 429 once locked out). Nothing in the answer tells whether
/// the MAC exists.
public final class ProvisioningAuthenticator: Sendable {
    /// What to answer.
    public enum Outcome: Sendable, Hashable {
        /// Authenticated as the user of this line.
        case authorized(LineAppearance)
        /// 401 with fresh challenges; `failed` when credentials were sent and refused.
        case challenge(stale: Bool, failed: Bool)
        /// 429: this source failed too often.
        case lockedOut(retryAfterSeconds: Int)
    }

    let realm: String
    let allowsBasic: Bool
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter
    let credentials: any CredentialStore
    let clock: any SIPClock
    private let dummyPassword = UUID().uuidString

    public init(
        realm: String, allowsBasic: Bool, challenger: DigestChallenger, verifier: DigestVerifier,
        limiter: AuthFailureLimiter, credentials: any CredentialStore, clock: any SIPClock = SystemClock()
    ) {
        self.realm = realm
        self.allowsBasic = allowsBasic
        self.challenger = challenger
        self.verifier = verifier
        self.limiter = limiter
        self.credentials = credentials
        self.clock = clock
    }

    /// Checks the `Authorization` value of a request for `requested`'s configuration.
    /// - Parameters:
    ///   - instrument: the provisioned instrument, nil when the MAC is unknown.
    ///   - target: the request-target as sent (path and query): the digest `uri`.
    public func authorize(
        authorization: String?, method: String, target: String, requested: SIPInstrumentID,
        instrument: ProvisionedInstrument?, sfuaUser: String?, source: String
    ) async -> Outcome {
        if let until = limiter.lockedOutUntil(source) { return .lockedOut(retryAfterSeconds: seconds(until: until)) }
        guard let authorization, !authorization.isEmpty else { return .challenge(stale: false, failed: false) }
        let scheme = authorization.prefix { $0 != " " }.lowercased()
        let rest = authorization.drop { $0 != " " }.drop { $0 == " " }
        let verification: DigestVerification
        if scheme == "digest", let header = try? SIPAuthHeader(parsing: Substring(authorization)) {
            let line = await line(named: header.username, requested: requested, instrument: instrument, sfuaUser: sfuaUser)
            let password = await password(of: line)
            verification = verifier.verify(
                httpMethod: method, requestTarget: target, credentials: header, realm: realm, password: password)
            if case .success = verification, let line { return .authorized(line) }
        } else if scheme == "basic", allowsBasic, let (user, given) = Self.basic(rest) {
            let line = await line(named: user, requested: requested, instrument: instrument, sfuaUser: sfuaUser)
            let password = await password(of: line)
            let matches = ConstantTime.equals(Array(given.utf8), Array((password ?? dummyPassword).utf8))
            if matches, password != nil, let line { return .authorized(line) }
            verification = .failure(.invalidCredentials)
        } else {
            verification = .failure(.notDigest)
        }
        if case .stale = verification { return .challenge(stale: true, failed: false) }
        switch limiter.recordFailure(from: source) {
        case .lockedOut(let until), .alreadyLockedOut(let until):
            return .lockedOut(retryAfterSeconds: seconds(until: until))
        case .counted, .notCounted:
            return .challenge(stale: false, failed: true)
        }
    }

    /// The `WWW-Authenticate` values of a 401: one digest challenge per configured algorithm,
    /// then Basic when allowed.
    public func challenges(stale: Bool) -> [String] {
        var values = challenger.challenges(realm: realm, stale: stale).map(\.description)
        if allowsBasic { values.append("Basic realm=\"\(realm)\", charset=\"UTF-8\"") }
        return values
    }

    /// The line the username names on the requested instrument, or nil.
    private func line(named username: String?, requested: SIPInstrumentID, instrument: ProvisionedInstrument?, sfuaUser: String?)
        async -> LineAppearance?
    {
        guard let username, !username.isEmpty, let instrument else { return nil }
        if let sfuaUser, sfuaUser != username { return nil }
        let name = SIPAuthUsername(username)
        if let named = name.instrument, named != requested { return nil }
        return instrument.lines.first { $0.user == name.user }
    }

    private func password(of line: LineAppearance?) async -> String? {
        guard let line else { return nil }
        return try? await credentials.password(user: line.user, domain: line.domain)
    }

    static func basic(_ encoded: Substring) -> (String, String)? {
        guard let data = Data(base64Encoded: String(encoded.trimmingSpaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// Whole seconds from now to an uptime reading, at least 1.
    private func seconds(until: Duration) -> Int { max(1, Int((until - clock.uptime()).components.seconds) + 1) }
}
