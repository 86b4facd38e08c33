public import SIPCore

extension SIPAuthHeader {
    /// The `username` split at its last `/` into user and instrument (`69/0000DEADBEEF`), so
    /// the registrar can look up the password of the user part before calling
    /// ``DigestVerifier/verify(method:requestURI:credentials:realm:password:)``. nil when absent
    /// or empty.
    public var digestUsername: SIPAuthUsername? {
        guard let name = username, !name.isEmpty else { return nil }
        return SIPAuthUsername(name)
    }
}

/// Credentials checked for presence and form (RFC 7616 §3.4), before any cryptography.
struct DigestCredentials {
    var username: String
    var realm: String
    var nonce: String
    var uri: String
    var response: String
    var algorithm: DigestAlgorithm
    /// `auth` as written, or nil for an RFC 2069 answer.
    var qop: String?
    var nonceCountText: String?
    var nonceCount: UInt32
    var cnonce: String?
    var opaque: String?

    /// The parameters that may appear once each, in the order of ``Field``.
    static let singular = [
        "username", "realm", "nonce", "uri", "response", "algorithm", "qop", "nc", "cnonce", "opaque", "userhash",
    ]

    /// Indexes into ``singular``.
    private enum Field: Int {
        case username, realm, nonce, uri, response, algorithm, qop, nc, cnonce, opaque, userhash
    }

    enum Parsed {
        case credentials(DigestCredentials)
        case refused(DigestFailureReason)
    }

    /// One pass over the parameters: each known one counted (a repeat is refused) and its value
    /// unquoted once.
    static func parse(_ header: SIPAuthHeader) -> Parsed {
        guard header.isDigest else { return .refused(.notDigest) }
        var values = [String?](repeating: nil, count: singular.count)
        var seen = [Bool](repeating: false, count: singular.count)
        for parameter in header.parameters {
            let name = parameter.name.lowercased()
            guard let index = singular.firstIndex(of: name) else { continue }
            if seen[index] { return .refused(.duplicateParameter) }
            seen[index] = true
            values[index] = parameter.unquotedValue
        }
        func value(_ field: Field) -> String? { values[field.rawValue] }
        if value(.userhash).map({ $0.lowercased() == "true" }) ?? false { return .refused(.userhashUnsupported) }
        guard let username = value(.username), !username.isEmpty, let realm = value(.realm),
            let nonce = value(.nonce), !nonce.isEmpty, let uri = value(.uri), !uri.isEmpty,
            let response = value(.response)
        else { return .refused(.missingParameter) }

        var algorithm = DigestAlgorithm.md5  // RFC 7616 §3.4: absent means MD5
        if let token = value(.algorithm) {
            guard let parsed = DigestAlgorithm(token: token) else { return .refused(.unsupportedAlgorithm) }
            algorithm = parsed
        }
        guard response.utf8.count == algorithm.hexLength, Hex.isHex(response) else {
            return .refused(.malformedParameter)
        }

        var credentials = DigestCredentials(
            username: username, realm: realm, nonce: nonce, uri: uri, response: response, algorithm: algorithm,
            qop: nil, nonceCountText: nil, nonceCount: 1, cnonce: value(.cnonce), opaque: value(.opaque))
        if let qop = value(.qop) {
            guard qop.lowercased() == "auth" else { return .refused(.unsupportedQop) }
            guard let nc = value(.nc), let cnonce = value(.cnonce), !cnonce.isEmpty else {
                return .refused(.missingParameter)
            }
            guard (1...8).contains(nc.utf8.count), Hex.isHex(nc), let value = UInt32(nc, radix: 16), value > 0 else {
                return .refused(.malformedParameter)
            }
            credentials.qop = qop
            credentials.nonceCountText = nc
            credentials.nonceCount = value
        }
        if algorithm.isSession, credentials.cnonce?.isEmpty ?? true { return .refused(.missingParameter) }
        return .credentials(credentials)
    }
}
