public import SIPCore

/// A user of a domain, as listed by ``CredentialStore/users(domain:)``. The password is never part
/// of a record: it is fetched separately, only by the registrar, to compute the digest A1 over the
/// full auth username (RFC 7616 §3.4.2, `69/0000DEADBEEF:realm:password`).
public struct SIPUserRecord: Sendable, Hashable {
    /// The user part, case-sensitive as SIP user parts are (RFC 3261 §19.1.4).
    public var user: String
    /// The domain, lower-case.
    public var domain: String
    /// When the user was created.
    public var created: SIPTimestamp

    public init(user: String, domain: String, created: SIPTimestamp) {
        self.user = user
        self.domain = domain
        self.created = created
    }
}

/// A user with the password to store for it: the input of ``CredentialStore/addUser(_:now:)``
/// and of bulk imports. Its `description` leaves the password out, so logging one is safe.
public struct SIPUserCredential: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var domain: String
    public var password: String

    /// `domain` is lower-cased (host names compare case-insensitively, RFC 3261 §19.1.4).
    public init(user: String, domain: String, password: String) {
        self.user = user
        self.domain = SIPUserCredential.canonicalDomain(domain)
        self.password = password
    }

    public var description: String { "\(user)@\(domain) (password hidden)" }

    /// Checks the rules every backend enforces before storing a user:
    /// - user: 1–128 bytes, no white space, control characters, `@`, `;`, `:` or `,`, and not
    ///   starting with `~~` (reserved for `~~in~…` special user-parts);
    /// - domain: 1–253 bytes of letters, digits, `-`, `.`, or an IPv6 reference in brackets;
    /// - password: 1–256 bytes, no control characters.
    public func validate() throws(StorageError) {
        try SIPUserCredential.validate(user: user, domain: domain)
        guard !password.isEmpty else { throw .invalidPassword(reason: "empty") }
        guard password.utf8.count <= 256 else { throw .invalidPassword(reason: "longer than 256 bytes") }
        guard !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidPassword(reason: "contains a control character")
        }
    }

    /// Checks a user name and domain (see ``validate()``).
    public static func validate(user: String, domain: String) throws(StorageError) {
        guard !user.isEmpty else { throw .invalidUserName(user, reason: "empty") }
        guard !user.hasPrefix("~~") else { throw .reservedUserName(user) }
        guard user.utf8.count <= 128 else { throw .invalidUserName(user, reason: "longer than 128 bytes") }
        // `/` is refused too: the auth username `user/INSTRUMENT` splits at the last `/`
        // (draft-worley-instrument-identification §1), so a user `a/b` registering without an
        // instrument would be read as user `a` on instrument `b`.
        if let bad = user.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F || "@;:,/".unicodeScalars.contains($0) }) {
            throw .invalidUserName(user, reason: "contains the character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        guard isValidDomain(domain) else { throw .invalidDomain(domain) }
    }

    /// Lower-cases ASCII letters (domains are case-insensitive).
    public static func canonicalDomain(_ domain: String) -> String {
        String(decoding: domain.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    static func isValidDomain(_ domain: String) -> Bool {
        let bytes = Array(domain.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            return bytes.dropFirst().dropLast().allSatisfy { isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        return bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}
