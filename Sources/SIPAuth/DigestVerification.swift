public import SIPCore

/// The outcome of checking digest credentials (RFC 7616 §3.4–3.5; RFC 3261 §22.4).
///
/// What the registrar does with it:
/// - ``success(username:)``: authenticated; the username is split into user and instrument.
/// - ``stale(username:reason:)``: the password was right but the nonce can no longer be used;
///   answer 401/407 with fresh challenges carrying `stale=true` (the client retries without
///   asking its user). Not an authentication failure.
/// - ``failure(_:)``: answer 401/407 with fresh challenges without `stale`; count it as a failed
///   authentication for ``AuthFailureLimiter``.
///
/// An unknown user and a wrong password both give `.failure(.invalidCredentials)`, so outcomes,
/// challenges and logs built from them cannot tell the two apart (no user enumeration).
public enum DigestVerification: Sendable, Hashable, CustomStringConvertible {
    case success(username: SIPAuthUsername)
    case stale(username: SIPAuthUsername, reason: DigestStaleReason)
    case failure(DigestFailureReason)

    public var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    /// Whether the next challenge should carry `stale=true`.
    public var challengeIsStale: Bool {
        if case .stale = self { return true }
        return false
    }

    /// Safe for logs: no password, HA1, nonce or response. The username is the full auth
    /// username, which the registrar logs anyway.
    public var description: String {
        switch self {
        case .success(let username): "success(\(username.full))"
        case .stale(let username, let reason): "stale(\(username.full), \(reason.rawValue))"
        case .failure(let reason): "failure(\(reason.rawValue))"
        }
    }
}

/// Why a right answer still cannot be accepted (RFC 7616 §3.3 `stale`).
public enum DigestStaleReason: String, Sendable, Hashable, CaseIterable {
    /// The nonce is older than ``DigestConfiguration/nonceLifetime``.
    case nonceExpired = "nonce_expired"
    /// This (nonce, nc) was accepted before, or nc is below the reorder window (RFC 7616 §3.4).
    case nonceCountReplayed = "nonce_count_replayed"
    /// The nonce is ours and fresh but its counts are not known (minted before this process
    /// started, or its entry was evicted from the bounded table), so a replay cannot be ruled out.
    case nonceHistoryUnknown = "nonce_history_unknown"
}

/// Why credentials were refused. Raw values are stable, short and safe for logs and metric
/// labels; none carries request data.
public enum DigestFailureReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The scheme is not `Digest`.
    case notDigest = "not_digest"
    /// `username`, `realm`, `nonce`, `uri` or `response` is absent, or `nc`/`cnonce` with `qop`
    /// (RFC 7616 §3.4), or `cnonce` with a `-sess` algorithm.
    case missingParameter = "missing_parameter"
    /// A parameter has the wrong form (`nc` not 1–8 hex digits or zero, `response` not a hex
    /// digest of the algorithm's length, `uri` not a URI).
    case malformedParameter = "malformed_parameter"
    /// A digest parameter appears twice.
    case duplicateParameter = "duplicate_parameter"
    /// `realm` is not the realm this request is authenticated in.
    case realmMismatch = "realm_mismatch"
    /// The algorithm is unknown or not in ``DigestConfiguration/algorithms``.
    case unsupportedAlgorithm = "unsupported_algorithm"
    /// `qop` is not `auth` (`auth-int` is not offered).
    case unsupportedQop = "unsupported_qop"
    /// No `qop`, and ``DigestConfiguration/qopPolicy`` requires it.
    case qopRequired = "qop_required"
    /// `userhash=true` (RFC 7616 §3.4.4) is not supported.
    case userhashUnsupported = "userhash_unsupported"
    /// `uri` does not match the Request-URI (RFC 2617 §3.2.2.5, RFC 3261 §19.1.4 equality).
    case uriMismatch = "uri_mismatch"
    /// `opaque` differs from the one we sent.
    case opaqueMismatch = "opaque_mismatch"
    /// The nonce was not minted by us for this realm.
    case invalidNonce = "invalid_nonce"
    /// Unknown user or wrong password — deliberately one reason.
    case invalidCredentials = "invalid_credentials"

    public var description: String { rawValue }
}
