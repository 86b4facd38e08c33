import SIPCore

/// How the registrar (or proxy) runs digest authentication (RFC 3261 §22.4; RFC 7616; RFC 8760).
///
/// | Setting | Default | Meaning |
/// | --- | --- | --- |
/// | ``realm`` | `"switchboard"` | Realm used when a call passes none (RFC 3261 §22.1: use the domain; callers normally pass the request's domain). |
/// | ``algorithms`` | `[.md5, .sha256]` | Accepted algorithms, in the order offered (one `WWW-Authenticate` each). |
/// | ``prefersSHA256`` | `false` | Offer the SHA-256 family before the MD5 family. |
/// | ``nonceLifetime`` | 300 s | Age after which a nonce is stale. |
/// | ``qopPolicy`` | ``QopPolicy/requireAuth`` | Whether RFC 2069 answers without `qop` are accepted. |
/// | ``nonceCountReorderWindow`` | 32 | How far below the highest `nc` a late count may arrive (0 = strictly increasing). |
/// | ``maxTrackedNonces`` | 100 000 | Cap on the nonce-count table (about 5 MB). |
/// | ``acceptsNoncesIssuedBeforeStart`` | `false` | Accept nonces minted before this process started (their counts are unknown). |
/// | ``verifiesDigestURI`` | `true` | The `uri` parameter must equal the Request-URI (RFC 2617 §3.2.2.5). |
/// | ``includesOpaque`` | `true` | Send `opaque`; a returned `opaque` must match. |
///
/// Why MD5 comes first by default: SIPp 3.6.1 answers only the FIRST `WWW-Authenticate` and only
/// with MD5, and many deployed phones know only MD5. To offer SHA-256 first (RFC 8760 §2.4: the
/// server lists its preferred algorithm first), set ``prefersSHA256`` to `true`; MD5 stays
/// accepted as long as it is in ``algorithms``. To refuse MD5 entirely, remove it from
/// ``algorithms``.
public struct DigestConfiguration: Sendable, Hashable {
    /// Whether an answer without `qop` (RFC 2069) is accepted.
    public enum QopPolicy: String, Sendable, Hashable {
        /// `qop=auth` is required (the default). RFC 2069 answers carry no `nc`/`cnonce`, so
        /// a captured answer could be replayed and the client contributes no randomness.
        case requireAuth = "require-auth"
        /// RFC 2069 answers are accepted too (RFC 7616 §3.4 keeps them for backward
        /// compatibility); each nonce then answers one request only (`nc` is taken as 1).
        case allowLegacy = "allow-legacy"
    }

    public var realm: String = "switchboard"
    public var algorithms: [DigestAlgorithm] = [.md5, .sha256]
    public var prefersSHA256: Bool = false
    public var nonceLifetime: Duration = .seconds(300)
    public var qopPolicy: QopPolicy = .requireAuth
    public var nonceCountReorderWindow: Int = 32
    public var maxTrackedNonces: Int = 100_000
    public var acceptsNoncesIssuedBeforeStart: Bool = false
    public var verifiesDigestURI: Bool = true
    public var includesOpaque: Bool = true

    /// The defaults listed above.
    public init() {}

    /// The algorithms in the order challenges offer them: ``algorithms`` as given, or with the
    /// SHA-256 family moved ahead of the MD5 family when ``prefersSHA256`` is set. Duplicates
    /// are dropped.
    public var offeredAlgorithms: [DigestAlgorithm] {
        var unique: [DigestAlgorithm] = []
        for algorithm in algorithms where !unique.contains(algorithm) { unique.append(algorithm) }
        guard prefersSHA256 else { return unique }
        return unique.filter { $0.base == .sha256 } + unique.filter { $0.base != .sha256 }
    }

    /// Checks the settings; ``DigestVerifier`` and ``DigestChallenger`` call this.
    public func validate() throws(DigestConfigurationError) {
        guard !algorithms.isEmpty else { throw DigestConfigurationError("algorithms must not be empty") }
        guard !realm.isEmpty else { throw DigestConfigurationError("realm must not be empty") }
        guard nonceLifetime.sipMilliseconds >= 1000 else {
            throw DigestConfigurationError("nonceLifetime must be at least 1 s")
        }
        guard (0...64).contains(nonceCountReorderWindow) else {
            throw DigestConfigurationError("nonceCountReorderWindow must be within 0...64")
        }
        guard maxTrackedNonces >= 1 else { throw DigestConfigurationError("maxTrackedNonces must be at least 1") }
    }
}

/// A setting of ``DigestConfiguration`` or ``AuthFailureLimiterConfiguration`` is out of range.
public struct DigestConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid authentication configuration: \(message)" }
}
