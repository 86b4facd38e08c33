/// The digest arithmetic of RFC 7616 §3.4.1–3.4.3 (= RFC 2617 §3.2.2.1–3.2.2.3), as SIP uses it
/// (RFC 3261 §22.4: A2 is `Method:digest-uri`, never with a body hash since only `qop=auth` is
/// supported).
///
/// - `H(A1)`: A1 = `username:realm:password`; for `-sess`, A1 = `H(username:realm:password):nonce:cnonce`.
///   The username is the FULL auth username, instrument included (`69/0000DEADBEEF`).
/// - `H(A2)`: A2 = `method:digest-uri`.
/// - response = `KD(H(A1), nonce:nc:cnonce:qop:H(A2))`; without `qop` (RFC 2069 §2.1.2)
///   `KD(H(A1), nonce:H(A2))`, where `KD(s, d) = H(s:d)`.
///
/// Results are lower-case hex. Strings are hashed as their UTF-8 bytes, exactly as given.
public enum DigestComputation {
    /// H(A1).
    public static func ha1(
        algorithm: DigestAlgorithm,
        username: String,
        realm: String,
        password: String,
        nonce: String,
        cnonce: String?
    ) -> String {
        let inner = algorithm.hexDigest(joined(username, realm, password))
        guard algorithm.isSession else { return inner }
        return algorithm.hexDigest(joined(inner, nonce, cnonce ?? ""))
    }

    /// H(A2) for `qop=auth` or no qop.
    public static func ha2(algorithm: DigestAlgorithm, method: String, digestURI: String) -> String {
        algorithm.hexDigest(joined(method, digestURI))
    }

    /// The `request-digest` from H(A1) and H(A2). With `qop` nil the RFC 2069 form is used and
    /// `nonceCount`/`cnonce` are ignored.
    public static func response(
        algorithm: DigestAlgorithm,
        ha1: String,
        nonce: String,
        nonceCount: String?,
        cnonce: String?,
        qop: String?,
        ha2: String
    ) -> String {
        if let qop {
            return algorithm.hexDigest(joined(ha1, nonce, nonceCount ?? "", cnonce ?? "", qop, ha2))
        }
        return algorithm.hexDigest(joined(ha1, nonce, ha2))
    }

    /// The `request-digest` from the password: what a client puts in `response=` and what the
    /// server expects.
    public static func response(
        algorithm: DigestAlgorithm,
        username: String,
        realm: String,
        password: String,
        method: String,
        digestURI: String,
        nonce: String,
        nonceCount: String?,
        cnonce: String?,
        qop: String?
    ) -> String {
        let ha1 = ha1(
            algorithm: algorithm, username: username, realm: realm, password: password, nonce: nonce, cnonce: cnonce)
        let ha2 = ha2(algorithm: algorithm, method: method, digestURI: digestURI)
        return response(
            algorithm: algorithm, ha1: ha1, nonce: nonce, nonceCount: nonceCount, cnonce: cnonce, qop: qop, ha2: ha2)
    }

    /// `a:b:c…` as bytes.
    private static func joined(_ parts: String...) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(parts.count) { $0 + $1.utf8.count })
        for (index, part) in parts.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ":")) }
            bytes.append(contentsOf: part.utf8)
        }
        return bytes
    }
}
