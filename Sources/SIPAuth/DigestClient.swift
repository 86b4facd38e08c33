public import SIPCore

/// The client side of digest authentication (RFC 7616 §3.4, RFC 3261 §22.2): the credentials a
/// UA sends in answer to a challenge. Used by tests and benchmarks that play a phone, and by any
/// part of the server that must authenticate to another element.
public enum DigestClient {
    /// The `Authorization` (or `Proxy-Authorization`) value answering `challenge`.
    ///
    /// - Parameters:
    ///   - username: the full auth username (e.g. `69/0000DEADBEEF`); A1 is computed over it.
    ///   - digestURI: the `uri` parameter, normally the Request-URI.
    ///   - nonceCount: the `nc` value; nil answers without `qop` (RFC 2069 form).
    ///   - cnonce: the client nonce (required with `qop`).
    ///   - algorithm: defaults to the challenge's algorithm, else MD5.
    ///   - includesOpaque: copy the challenge's `opaque` (RFC 7616 §3.4: the client returns it).
    public static func credentials(
        answering challenge: SIPAuthHeader, username: String, password: String, method: String,
        digestURI: String, nonceCount: UInt32?, cnonce: String?, algorithm: DigestAlgorithm? = nil,
        includesOpaque: Bool = true
    ) -> SIPAuthHeader {
        let algorithm = algorithm ?? challenge.algorithm.flatMap { DigestAlgorithm(token: $0) } ?? .md5
        let realm = challenge.realm ?? ""
        let nonce = challenge.nonce ?? ""
        let nc = nonceCount.map(Self.nonceCountText)
        let response = DigestComputation.response(
            algorithm: algorithm, username: username, realm: realm, password: password, method: method,
            digestURI: digestURI, nonce: nonce, nonceCount: nc, cnonce: cnonce, qop: nc == nil ? nil : "auth")
        var header = SIPAuthHeader(scheme: "Digest")
        header.appendQuoted("username", username)
        header.appendQuoted("realm", realm)
        header.appendQuoted("nonce", nonce)
        header.appendQuoted("uri", digestURI)
        header.appendQuoted("response", response)
        header.appendToken("algorithm", algorithm.token)
        if let cnonce { header.appendQuoted("cnonce", cnonce) }
        if includesOpaque, let opaque = challenge.opaque { header.appendQuoted("opaque", opaque) }
        if let nc {
            header.appendToken("qop", "auth")
            header.appendToken("nc", nc)
        }
        return header
    }

    /// `nc` as eight lower-case hex digits (RFC 7616 §3.4).
    public static func nonceCountText(_ count: UInt32) -> String {
        let hex = String(count, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
