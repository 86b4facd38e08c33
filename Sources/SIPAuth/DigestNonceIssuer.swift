import Crypto
public import SIPCore

/// What a nonce check found (RFC 7616 §3.3 `stale`).
public enum DigestNonceValidity: Sendable, Hashable {
    /// Minted by us with this secret and realm, and younger than the lifetime.
    case valid
    /// Minted by us but expired: answer with a new challenge with `stale=true` (if the digest
    /// itself is right).
    case stale
    /// Not ours: malformed, wrong length, wrong realm, or the MAC does not match.
    case invalid
}

/// Mints and checks stateless nonces (RFC 7616 §3.3, §5.4; RFC 2617 §3.2.1 suggests
/// `time-stamp H(time-stamp ":" ETag ":" private-key)`).
///
/// A nonce is the lower-case hex of 33 bytes:
/// `version (1) ‖ issued, ms since the UNIX epoch (8, big-endian) ‖ random salt (8) ‖
/// HMAC-SHA256(secret, version ‖ issued ‖ salt ‖ realm) truncated to 16 bytes` — 66 characters.
/// Binding the realm stops a nonce of one domain being answered in another. The salt makes every
/// nonce unique, which the nonce-count table keys on.
///
/// Nonces are stamped with the clock's wall-clock reading (``SIPClock/now()``), so they survive
/// restarts with a persisted ``DigestServerSecret``.
public struct DigestNonceIssuer: Sendable {
    /// How long a nonce stays valid after it was minted.
    public let lifetime: Duration
    /// The clock nonces are stamped with and judged against.
    public let clock: any SIPClock
    /// The `opaque` value sent in challenges: derived from the secret, the same for every
    /// challenge, so no state is needed to check it (RFC 7616 §3.3 `opaque`).
    public let opaque: String

    let secret: DigestServerSecret
    let lifetimeMilliseconds: UInt64
    /// HMAC-SHA256 already keyed with the secret (its pads computed once); each MAC copies it.
    private let keyed: KeyedHMAC

    static let version: UInt8 = 1
    static let macLength = 16
    static let byteLength = 1 + 8 + 8 + macLength
    /// Length of a nonce in characters.
    public static let length = byteLength * 2

    /// - Parameters:
    ///   - secret: the server secret keying the MAC.
    ///   - lifetime: validity after minting (default 300 s). Values below 1 ms count as 1 ms.
    ///   - clock: the time source (default ``SystemClock``).
    public init(
        secret: DigestServerSecret, lifetime: Duration = .seconds(300), clock: any SIPClock = SystemClock()
    ) {
        self.secret = secret
        self.lifetime = lifetime
        self.clock = clock
        self.lifetimeMilliseconds = UInt64(max(1, lifetime.sipMilliseconds))
        let code = HMAC<SHA256>.authenticationCode(for: Array("switchboard opaque".utf8), using: secret.key)
        self.opaque = Hex.encode(code.prefix(16))
        self.keyed = KeyedHMAC(hmac: HMAC<SHA256>(key: secret.key))
    }

    /// A fresh nonce for `realm`, stamped with the clock's current time.
    public func mint(realm: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return mint(realm: realm, issued: clock.now(), salt: generator.next())
    }

    /// A nonce with the given stamp and salt (tests and ``mint(realm:)``).
    func mint(realm: String, issued: SIPTimestamp, salt: UInt64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(DigestNonceIssuer.byteLength)
        bytes.append(DigestNonceIssuer.version)
        DigestNonceIssuer.appendBigEndian(DigestNonceIssuer.milliseconds(issued), to: &bytes)
        DigestNonceIssuer.appendBigEndian(salt, to: &bytes)
        bytes.append(contentsOf: mac(bytes, realm: realm))
        return Hex.encode(bytes)
    }

    /// Checks `nonce` for `realm` against the clock's current time.
    public func validate(_ nonce: String, realm: String) -> DigestNonceValidity {
        inspect(nonce, realm: realm, now: clock.now()).validity
    }

    /// Checks `nonce` and returns its identity for nonce-count tracking (nil when invalid).
    func inspect(_ nonce: String, realm: String, now: SIPTimestamp) -> (validity: DigestNonceValidity, key: NonceKey?) {
        guard nonce.utf8.count == DigestNonceIssuer.length, let bytes = Hex.decode(nonce),
            bytes[0] == DigestNonceIssuer.version
        else { return (.invalid, nil) }
        let body = bytes[0..<(1 + 8 + 8)]
        guard ConstantTime.equals(mac(body, realm: realm), bytes[(1 + 8 + 8)...]) else { return (.invalid, nil) }
        let issued = DigestNonceIssuer.readBigEndian(bytes[1..<9])
        let salt = DigestNonceIssuer.readBigEndian(bytes[9..<17])
        let key = NonceKey(issued: issued, salt: salt)
        // A nonce from the future means the clock was set back; it is ours, so judge it by the
        // distance either way.
        let now = DigestNonceIssuer.milliseconds(now)
        let age = now >= issued ? now - issued : issued - now
        return (age > lifetimeMilliseconds ? .stale : .valid, key)
    }

    /// The stamp of an instant: milliseconds since the epoch, 0 before it.
    static func milliseconds(_ instant: SIPTimestamp) -> UInt64 { UInt64(clamping: instant.millisecondsSince1970) }

    private func mac(_ body: some Collection<UInt8>, realm: String) -> [UInt8] {
        var hmac = keyed.hmac
        hmac.update(data: Array(body))
        hmac.update(data: Array(realm.utf8))
        return Array(hmac.finalize().prefix(DigestNonceIssuer.macLength))
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The identity of a nonce for replay tracking: its stamp and salt.
struct NonceKey: Hashable, Sendable {
    var issued: UInt64
    var salt: UInt64
}

/// A keyed HMAC state, copied (never mutated) for each MAC. `@unchecked Sendable`: `HMAC` is a
/// value type; on Linux swift-crypto keeps each hash context in a class it copies on write
/// (`isKnownUniquelyReferenced`, Digest_boring.swift), so a copy that is updated never touches
/// the shared original, which is only ever read.
private struct KeyedHMAC: @unchecked Sendable {
    let hmac: HMAC<SHA256>
}
