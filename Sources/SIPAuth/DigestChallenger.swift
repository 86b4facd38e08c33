public import SIPCore

/// Which challenge header a response carries (RFC 3261 §22.2 for user agents and registrars,
/// §22.3 for proxies).
public enum DigestChallengeKind: Sendable, Hashable {
    /// `401 Unauthorized` with `WWW-Authenticate` (registrars, user agent servers).
    case wwwAuthenticate
    /// `407 Proxy Authentication Required` with `Proxy-Authenticate` (proxies).
    case proxyAuthenticate

    public var headerName: SIPHeaderName {
        switch self {
        case .wwwAuthenticate: .wwwAuthenticate
        case .proxyAuthenticate: .proxyAuthenticate
        }
    }

    /// The header the client answers in.
    public var credentialsHeaderName: SIPHeaderName {
        switch self {
        case .wwwAuthenticate: .authorization
        case .proxyAuthenticate: .proxyAuthorization
        }
    }

    public var statusCode: Int {
        switch self {
        case .wwwAuthenticate: 401
        case .proxyAuthenticate: 407
        }
    }
}

/// Builds digest challenges (RFC 7616 §3.3; RFC 3261 §22.4; RFC 8760 §2.4: one challenge per
/// algorithm, the preferred one first).
///
/// Each challenge is
/// `Digest realm="…", nonce="…", opaque="…"[, stale=true], algorithm=MD5, qop="auth"`, one per
/// offered algorithm in ``DigestConfiguration/offeredAlgorithms`` order, all with the same
/// nonce. A challenge depends only on the realm, the stale flag and the nonce — never on who
/// asked — so an unknown user and a wrong password get the same answer.
public struct DigestChallenger: Sendable {
    public let configuration: DigestConfiguration
    public let nonces: DigestNonceIssuer

    /// - Parameters:
    ///   - configuration: checked with ``DigestConfiguration/validate()``.
    ///   - secret: the same secret the ``DigestVerifier`` uses.
    ///   - clock: the clock nonces are stamped with (default ``SystemClock``).
    /// - Throws: ``DigestConfigurationError`` when the configuration is invalid.
    public init(
        configuration: DigestConfiguration,
        secret: DigestServerSecret,
        clock: any SIPClock = SystemClock()
    ) throws(DigestConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.nonces = DigestNonceIssuer(secret: secret, lifetime: configuration.nonceLifetime, clock: clock)
    }

    /// Challenges with a fresh nonce. `realm` defaults to ``DigestConfiguration/realm``; set
    /// `stale` when ``DigestVerifier`` answered ``DigestVerification/stale(username:reason:)``.
    public func challenges(realm: String? = nil, stale: Bool = false) -> [SIPAuthHeader] {
        let realm = realm ?? configuration.realm
        return challenges(realm: realm, stale: stale, nonce: nonces.mint(realm: realm))
    }

    /// Challenges with a given nonce (one nonce for all offered algorithms).
    public func challenges(realm: String? = nil, stale: Bool, nonce: String) -> [SIPAuthHeader] {
        let realm = realm ?? configuration.realm
        return configuration.offeredAlgorithms.map { algorithm in
            var header = SIPAuthHeader(scheme: "Digest")
            header.appendQuoted("realm", realm)
            header.appendQuoted("nonce", nonce)
            if configuration.includesOpaque { header.appendQuoted("opaque", nonces.opaque) }
            if stale { header.appendToken("stale", "true") }
            header.appendToken("algorithm", algorithm.token)
            header.appendQuoted("qop", "auth")
            return header
        }
    }

    /// The challenges as header fields of `kind`, ready to append to a 401/407 response.
    public func headerFields(kind: DigestChallengeKind = .wwwAuthenticate, realm: String? = nil, stale: Bool = false)
        -> [SIPHeaderField]
    {
        challenges(realm: realm, stale: stale).map { SIPHeaderField(kind.headerName, $0.description) }
    }
}
