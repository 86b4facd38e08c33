import Crypto

/// A digest algorithm of the IANA "HTTP Digest Hash Algorithms" registry as used by SIP
/// (RFC 2617 §3.2.1 `MD5`/`MD5-sess`; RFC 7616 §3.3 and §6.1 `SHA-256`/`SHA-256-sess`;
/// RFC 8760 §2 makes them available to SIP).
///
/// `SHA-512-256` is not offered: swift-crypto has no SHA-512/256 (SHA-512 with its own initial
/// values, FIPS 180-4 §5.3.6), and no SIP client in our test set uses it.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case md5 = "MD5"
    case md5Session = "MD5-sess"
    case sha256 = "SHA-256"
    case sha256Session = "SHA-256-sess"

    /// Parses the token of an `algorithm` parameter, ignoring case (RFC 7616 §3.3: tokens are
    /// case-insensitive).
    public init?(token: some StringProtocol) {
        let lowered = token.lowercased()
        guard let match = DigestAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else {
            return nil
        }
        self = match
    }

    /// The token written in `algorithm=`.
    public var token: String { rawValue }

    public var description: String { rawValue }

    /// True for the `-sess` variants, whose A1 also covers the nonce and cnonce
    /// (RFC 7616 §3.4.2).
    public var isSession: Bool { self == .md5Session || self == .sha256Session }

    /// The hash family without the session suffix.
    public var base: DigestAlgorithm {
        switch self {
        case .md5, .md5Session: .md5
        case .sha256, .sha256Session: .sha256
        }
    }

    /// Length of a hex digest (the `response` value) in characters.
    public var hexLength: Int { base == .md5 ? 32 : 64 }

    /// Lower-case hex of H(bytes).
    func hexDigest(_ bytes: [UInt8]) -> String {
        switch base {
        case .md5:
            return Hex.encode(Insecure.MD5.hash(data: bytes))
        default:
            return Hex.encode(SHA256.hash(data: bytes))
        }
    }
}
