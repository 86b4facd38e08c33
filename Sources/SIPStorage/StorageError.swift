/// Every way a storage operation can fail. Backends map their own errors onto these cases so
/// callers (registrar, admin API, CLI) handle one typed error whatever the backend; no storage
/// error ever carries a password.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The user name breaks a rule of ``SIPUserCredential/validate()``.
    case invalidUserName(String, reason: String)
    /// User names starting with `~~` are reserved for the special user-parts
    /// (`~~in~INSTRUMENT`, draft-worley-instrument-identification).
    case reservedUserName(String)
    /// The domain is empty or holds characters a host name cannot.
    case invalidDomain(String)
    /// The password is empty or holds control characters.
    case invalidPassword(reason: String)
    /// `addUser` for a (user, domain) that already exists.
    case userExists(user: String, domain: String)
    /// The (user, domain) does not exist.
    case userNotFound(user: String, domain: String)
    /// A bulk import was rejected as a whole; nothing was written.
    case importRejected(UserImportError)
    /// A stored password could not be decrypted (wrong key file, or tampered row).
    case undecryptableCredential(user: String, domain: String)
    /// The credential key file is missing, unreadable or malformed.
    case keyFile(path: String, reason: String)
    /// The credential key file is readable by group or others; we refuse to use it.
    case insecureKeyFile(path: String, mode: UInt32)
    /// The backend failed (I/O, SQL, constraint); the message comes from the backend.
    case backend(String)
    /// An instrument definition breaks a rule of ``InstrumentDefinition/validate()``.
    case invalidInstrument(String, reason: String)
    /// `addInstrument` for an instrument that is already provisioned.
    case instrumentExists(String)
    /// No instrument with this id is provisioned.
    case instrumentNotFound(String)
    /// A line cannot be added: its index is taken or its user already has a line there.
    case lineExists(instrument: String, reason: String)
    /// The instrument has no line at this index.
    case lineNotFound(instrument: String, index: Int)
    /// The binding writer has stopped accepting changes (graceful shutdown).
    case shuttingDown
    /// The binding writer already holds `limit` pending changes; the caller should answer
    /// 503 (RFC 3261 §21.5.4) rather than wait.
    case overloaded(limit: Int)

    public var description: String {
        switch self {
        case .invalidUserName(let name, let reason): "invalid user name '\(name)': \(reason)"
        case .reservedUserName(let name):
            "user name '\(name)' is reserved: names starting with '~~' are refused"
        case .invalidDomain(let domain): "invalid domain '\(domain)'"
        case .invalidPassword(let reason): "invalid password: \(reason)"
        case .userExists(let user, let domain): "user \(user)@\(domain) already exists"
        case .userNotFound(let user, let domain): "user \(user)@\(domain) does not exist"
        case .importRejected(let error): "import rejected, nothing written: \(error)"
        case .undecryptableCredential(let user, let domain):
            "the stored password of \(user)@\(domain) cannot be decrypted (wrong key file?)"
        case .keyFile(let path, let reason): "credential key file \(path): \(reason)"
        case .insecureKeyFile(let path, let mode):
            "credential key file \(path) has mode \(String(mode & 0o777, radix: 8)); it must not be "
                + "accessible to group or others (chmod 600)"
        case .backend(let message): "storage backend error: \(message)"
        case .invalidInstrument(let id, let reason): "invalid instrument \(id): \(reason)"
        case .instrumentExists(let id): "instrument \(id) is already provisioned"
        case .instrumentNotFound(let id): "instrument \(id) is not provisioned"
        case .lineExists(let id, let reason): "cannot add the line to \(id): \(reason)"
        case .lineNotFound(let id, let index): "instrument \(id) has no line \(index)"
        case .shuttingDown: "the binding writer is shutting down"
        case .overloaded(let limit): "the binding writer already holds \(limit) pending changes"
        }
    }
}

/// Why a user import was rejected, naming the line of the import file (1-based).
public struct UserImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line of the import file, counting from 1.
    public var line: Int
    /// What is wrong with it.
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
