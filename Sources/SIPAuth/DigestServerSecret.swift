import Crypto

/// The server's private key for nonces (RFC 7616 §3.3: a nonce may be built as
/// `time-stamp H(time-stamp ":" … ":" secret-data)` so the server can check it without state;
/// §5.4 on choosing nonces).
///
/// 32 random bytes. The registrar persists ``bytes`` (file mode 0600) so that nonces issued before
/// a restart still verify; whoever knows the secret can mint nonces, so it must never be logged —
/// `description` is redacted.
public struct DigestServerSecret: Sendable, CustomStringConvertible {
    /// The size of a secret in bytes.
    public static let byteCount = 32

    /// The raw secret, for persisting.
    public let bytes: [UInt8]

    /// The HMAC key (built on use: `SymmetricKey` is not `Sendable`).
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// A fresh secret from the system's cryptographic random source.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(unchecked: (0..<DigestServerSecret.byteCount).map { _ in generator.next() as UInt8 })
    }

    /// A secret read back from storage; nil unless exactly ``byteCount`` bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == DigestServerSecret.byteCount else { return nil }
        self.init(unchecked: Array(bytes))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "DigestServerSecret(redacted)" }
}
