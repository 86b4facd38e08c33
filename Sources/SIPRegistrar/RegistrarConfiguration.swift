public import SIPAuth

/// How the registrar decides (RFC 3261 §10.3): the domains it is responsible for, the expiry
/// policy, the digest realm, and the instrument rules of draft-worley-instrument-identification.
public struct SIPRegistrarConfiguration: Sendable {
    /// Domains whose AORs we register (lower-case). Request-URI and To host must be one of them.
    public var domains: Set<String>
    public var policy: RegistrarPolicy
    /// The digest realm users authenticate in.
    public var realm: String
    /// When true, the user part of the auth username (`69` of `69/0000DEADBEEF`) must be the
    /// To AOR's user: a phone may register only its own lines.
    public var requireAORMatch: Bool
    /// How a REGISTER is challenged: 401 with WWW-Authenticate (RFC 3261 §22.2, the default) or
    /// 407 with Proxy-Authenticate, as the instrument draft's example (§3, F4) shows a
    /// proxy/registrar doing. Credentials are accepted in either header whatever this says.
    public var challengeKind: DigestChallengeKind

    public init(
        domains: Set<String>, policy: RegistrarPolicy = RegistrarPolicy(), realm: String,
        requireAORMatch: Bool = true, challengeKind: DigestChallengeKind = .wwwAuthenticate
    ) {
        self.challengeKind = challengeKind
        self.domains = Set(domains.map { $0.lowercased() })
        self.policy = policy
        self.realm = realm
        self.requireAORMatch = requireAORMatch
    }
}
