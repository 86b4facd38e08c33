/// A committed change of a user's credentials (password set, user removed): a phone's
/// configuration holds its lines' passwords, so the configuration of every instrument with a
/// line of this user changed too (the http-monitor notifier tells those phones).
public struct CredentialChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case passwordChanged
        case removed
    }

    public var kind: Kind
    public var user: String
    /// Lower-case.
    public var domain: String

    public init(kind: Kind, user: String, domain: String) {
        self.kind = kind
        self.user = user
        self.domain = domain
    }
}

/// The feed of committed credential changes, in commit order.
public typealias CredentialChangeFeed = ChangeFeed<CredentialChange>
