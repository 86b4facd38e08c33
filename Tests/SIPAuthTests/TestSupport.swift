import SIPAuth
import SIPCore
import Synchronization

/// A clock the test moves by hand.
final class ManualClock: AuthClock {
    private let current: Mutex<UInt64>

    init(milliseconds: UInt64 = 1_700_000_000_000) { current = Mutex(milliseconds) }

    func now() -> AuthInstant { AuthInstant(milliseconds: current.withLock { $0 }) }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let ms = UInt64(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        current.withLock { $0 += ms }
    }
}

/// What a SIP client does with a challenge: the Authorization value (RFC 7616 §3.4).
func answer(
    _ challenge: SIPAuthHeader,
    username: String,
    password: String,
    method: String = "REGISTER",
    uri: String = "sip:example.net",
    nc: String? = "00000001",
    cnonce: String? = "0a4f113b",
    algorithm: DigestAlgorithm? = nil,
    includeOpaque: Bool = true
) -> SIPAuthHeader {
    let algorithm = algorithm ?? challenge.algorithm.flatMap { DigestAlgorithm(token: $0) } ?? .md5
    let realm = challenge.realm ?? ""
    let nonce = challenge.nonce ?? ""
    let qop: String? = nc == nil ? nil : "auth"
    let response = DigestComputation.response(
        algorithm: algorithm, username: username, realm: realm, password: password, method: method,
        digestURI: uri, nonce: nonce, nonceCount: nc, cnonce: cnonce, qop: qop)
    var header = SIPAuthHeader(scheme: "Digest")
    header.appendQuoted("username", username)
    header.appendQuoted("realm", realm)
    header.appendQuoted("nonce", nonce)
    header.appendQuoted("uri", uri)
    header.appendQuoted("response", response)
    header.appendToken("algorithm", algorithm.token)
    if let cnonce { header.appendQuoted("cnonce", cnonce) }
    if includeOpaque, let opaque = challenge.opaque { header.appendQuoted("opaque", opaque) }
    if let nc {
        header.appendToken("qop", "auth")
        header.appendToken("nc", nc)
    }
    return header
}

/// Replaces (or removes, with nil) one parameter of `header`.
func replacing(_ name: String, with value: String?, in header: SIPAuthHeader) -> SIPAuthHeader {
    var copy = header
    copy.parameters = header.parameters.compactMap { parameter in
        guard parameter.name == name else { return parameter }
        return value.map { SIPParameters.Parameter(name: name, value: $0) }
    }
    return copy
}

let sipDomain = "example.net"
