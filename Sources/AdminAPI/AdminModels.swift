/// The JSON bodies of the admin API, shared by the server (``AdminServer``) and its client
/// (``AdminClient``, the `switchboard` CLI) so both sides agree on one contract. Field names are
/// camelCase; times are ISO 8601 UTC with milliseconds (``ISO8601Time``); absent optional
/// values are `null` in registrations (every field is always present) and left out elsewhere.

/// `{"error": "…", "line": N}`: the body of every error response (`line` only for imports).
public struct AdminErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public var line: Int?

    public init(error: String, line: Int? = nil) {
        self.error = error
        self.line = line
    }
}

/// `GET /v1/health`: the server is up; its domains, the first being the default.
public struct AdminHealth: Codable, Sendable, Hashable {
    public var status: String
    public var domains: [String]

    public init(status: String = "ok", domains: [String]) {
        self.status = status
        self.domains = domains
    }
}

/// One user as listed by `GET /v1/users` (never with a password).
public struct AdminUser: Codable, Sendable, Hashable {
    public var user: String
    public var domain: String
    /// `sip:user@domain`.
    public var aor: String
    /// When the user was created, ISO 8601.
    public var created: String

    public init(user: String, domain: String, aor: String, created: String) {
        self.user = user
        self.domain = domain
        self.aor = aor
        self.created = created
    }
}

/// `POST /v1/users`: `domain` defaults to the server's first domain; a strong password is
/// generated when `password` is absent. Its description hides the password.
public struct AdminNewUser: Codable, Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var domain: String?
    public var password: String?
    /// Create the user even when the server does not serve `domain` (it could not register).
    public var force: Bool?

    public init(user: String, domain: String? = nil, password: String? = nil, force: Bool? = nil) {
        self.user = user
        self.domain = domain
        self.password = password
        self.force = force
    }

    public var description: String { "\(user)@\(domain ?? "(default domain)") (password hidden)" }
}

/// `PUT /v1/users/{domain}/{user}/password`: a new password, generated when absent.
public struct AdminPasswordChange: Codable, Sendable, Hashable, CustomStringConvertible {
    public var password: String?

    public init(password: String? = nil) {
        self.password = password
    }

    public var description: String { password == nil ? "(generate)" : "(password hidden)" }
}

/// The answer to creating a user or changing a password. `password` is present only when the
/// server generated it (the one time it is ever shown); a password the client chose is not echoed.
public struct AdminCredentialResult: Codable, Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var domain: String
    public var password: String?
    public var passwordGenerated: Bool

    public init(user: String, domain: String, password: String?, passwordGenerated: Bool) {
        self.user = user
        self.domain = domain
        self.password = password
        self.passwordGenerated = passwordGenerated
    }

    public var description: String { "\(user)@\(domain) (password hidden)" }
}

/// `POST /v1/users/import`: how many users the file held, and how many were new.
public struct AdminImportResult: Codable, Sendable, Hashable {
    /// Users in the file (added + updated).
    public var imported: Int
    public var added: Int
    /// Existing users whose password was replaced.
    public var updated: Int

    public init(imported: Int, added: Int, updated: Int) {
        self.imported = imported
        self.added = added
        self.updated = updated
    }
}
