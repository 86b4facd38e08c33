import Crypto
import Logging
import SIPAuth
import SIPStorage

/// Digest authentication parts built from the configuration: the challenger and verifier share
/// a server secret kept in the data dir (`nonce.secret`, 32 bytes, mode 0600), so nonces stay
/// valid across a restart; the failure limiter implements the lockout policy.
struct AuthSetup {
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter
    /// The server secret's bytes (the proxy derives its flow-token key from them).
    let secretBytes: [UInt8]
    /// The lockout policy, for the configuration service's own limiter.
    let lockout: AuthFailureLimiterConfiguration

    static let secretFileName = "nonce.secret"

    init(configuration: SwitchboardConfiguration, logger: Logger) throws {
        let auth = configuration.auth
        var digest = DigestConfiguration()
        digest.realm = auth.realm
        var algorithms: [DigestAlgorithm] = []
        for name in auth.algorithms {
            guard let algorithm = DigestAlgorithm(token: name) else {
                throw SwitchboardConfigurationError(key: "auth.algorithms", "unsupported algorithm \(name)")
            }
            algorithms.append(algorithm)
        }
        digest.algorithms = algorithms
        digest.prefersSHA256 = algorithms.first.map { $0.rawValue.uppercased().hasPrefix("SHA") } ?? false
        digest.nonceLifetime = .seconds(auth.nonceLifetimeSeconds)
        digest.verifiesDigestURI = auth.verifyDigestURI
        // Nonces stay verifiable across a restart (the secret persists), but their counts do
        // not, so nonces issued before this start get stale=true: one extra 401 per phone,
        // and no replay window after a restart.
        digest.acceptsNoncesIssuedBeforeStart = false
        let key = try CredentialKeyFile.loadOrCreate(path: configuration.dataDirectory + "/" + Self.secretFileName)
        secretBytes = key.withUnsafeBytes { Array($0) }
        guard let secret = DigestServerSecret(bytes: secretBytes) else {
            throw SwitchboardConfigurationError(key: "server.dataDir", "unreadable \(Self.secretFileName)")
        }
        verifier = try DigestVerifier(configuration: digest, secret: secret)
        challenger = try DigestChallenger(configuration: digest, secret: secret)

        var lockout = AuthFailureLimiterConfiguration()
        lockout.isEnabled = auth.lockoutMaxFailures > 0
        lockout.maxFailures = max(1, auth.lockoutMaxFailures)
        lockout.window = .seconds(auth.lockoutWindowSeconds)
        lockout.lockoutDuration = .seconds(auth.lockoutBackoffSeconds)
        lockout.exemptSources = Set(auth.lockoutExempt)
        limiter = try AuthFailureLimiter(configuration: lockout)
        self.lockout = lockout
    }
}
