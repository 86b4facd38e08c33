import SIPAuth
import SIPCore

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
