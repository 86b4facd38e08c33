/// URI comparison (RFC 3261 §19.1.4).
///
/// - Schemes must match (a SIP and a SIPS URI are never equivalent).
/// - User and password compare case-sensitively after decoding `%HH` escapes.
/// - Hosts compare case-insensitively; an explicit port never equals an omitted one.
/// - `user`, `ttl`, `method`, `maddr` and `transport` parameters must be present in both or
///   neither and match; other parameters are compared only when present in both.
/// - Header components must all be present in both and match.
/// - Order of parameters and headers is not significant.
extension SIPURI: Hashable {
    static let significantParameters = ["user", "ttl", "method", "maddr", "transport"]

    public static func == (lhs: SIPURI, rhs: SIPURI) -> Bool {
        guard lhs.scheme == rhs.scheme else { return false }
        if lhs.scheme == .tel {
            return telNumber(lhs.user) == telNumber(rhs.user)
                && parametersMatch(lhs.parameters, rhs.parameters, significant: ["phone-context", "ext", "isub"])
        }
        guard lhs.unescapedUser == rhs.unescapedUser,
            lhs.password.map(unescape) == rhs.password.map(unescape),
            lhs.normalizedHost == rhs.normalizedHost,
            lhs.port == rhs.port
        else { return false }
        guard parametersMatch(lhs.parameters, rhs.parameters, significant: significantParameters) else {
            return false
        }
        return headersMatch(lhs.headers, rhs.headers)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        if scheme == .tel {
            hasher.combine(SIPURI.telNumber(user))
        } else {
            hasher.combine(unescapedUser)
            hasher.combine(normalizedHost)
            hasher.combine(port)
        }
    }

    /// True when `lhs` and `rhs` are the same URI under RFC 3261 §19.1.4.
    public func isEquivalent(to other: SIPURI) -> Bool { self == other }

    static func telNumber(_ user: String?) -> String? {
        guard let user else { return nil }
        return String(unescape(user).unicodeScalars.filter { !"-.()".unicodeScalars.contains($0) })
            .uppercased()
    }

    static func parametersMatch(_ a: SIPParameters, _ b: SIPParameters, significant: [String]) -> Bool {
        for name in significant where a.contains(name) != b.contains(name) { return false }
        // Each parameter present in both must match one of the same name on the other side;
        // checked both ways so that `==` stays reflexive and symmetric when a name repeats.
        return valuesFound(a, in: b) && valuesFound(b, in: a)
    }

    private static func valuesFound(_ a: SIPParameters, in b: SIPParameters) -> Bool {
        for parameter in a where b.contains(parameter.name) {
            let found = b.elements.contains { other in
                guard Lexer.equalsIgnoringCase(other.name, parameter.name) else { return false }
                switch (parameter.value, other.value) {
                case (nil, nil): return true
                case let (x?, y?): return Lexer.equalsIgnoringCase(unescape(x), unescape(y))
                default: return false
                }
            }
            if !found { return false }
        }
        return true
    }

    static func headersMatch(_ a: [Header], _ b: [Header]) -> Bool {
        guard a.count == b.count else { return false }
        for header in a {
            let name = unescape(header.name)
            guard
                b.contains(where: {
                    Lexer.equalsIgnoringCase(unescape($0.name), name) && unescape($0.value) == unescape(header.value)
                })
            else { return false }
        }
        return true
    }
}
