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
    DigestClient.credentials(
        answering: challenge, username: username, password: password, method: method, digestURI: uri,
        nonceCount: nc.flatMap { UInt32($0, radix: 16) }, cnonce: cnonce, algorithm: algorithm,
        includesOpaque: includeOpaque)
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
