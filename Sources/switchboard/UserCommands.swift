import AdminAPI
import ArgumentParser
import Foundation

/// `switchboard user …`: manage the users (SIP credentials) of a running server.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users (SIP credentials) through the admin API.",
        subcommands: [UserAdd.self, UserList.self, UserRemove.self, UserPasswd.self, UserImportCommand.self]
    )
}

/// `switchboard user add USER [--domain D] [--password P]`.
struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a user.",
        discussion: """
            Without --password a strong password (24 random letters and digits) is generated and \
            printed alone on stdout, so `PW=$(switchboard user add 69)` captures it; the \
            confirmation goes to stderr. User names starting with '~~' are refused.
            """
    )

    @Argument(help: "The user name (the user part of the AOR).")
    var user: String

    @Option(name: .long, help: "The domain (default: the server's first domain).")
    var domain: String?

    @Option(name: .long, help: "The password (generated when left out; prefer that over a password on the command line).")
    var password: String?

    @Flag(name: .long, help: "Create the user even if the server does not serve --domain.")
    var force = false

    @OptionGroup var connection: AdminOptions

    func validate() throws {
        if let problem = UserNameCheck.problem(user) { throw ValidationError(problem) }
        if let domain, domain.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--domain needs a value") }
    }

    func run() async throws {
        let result = try await connection.client().addUser(
            AdminNewUser(user: user, domain: domain, password: password, force: force ? true : nil))
        if let generated = result.password {
            CLIOutput.note("added user \(result.user)@\(result.domain); generated password:")
            print(generated)
        } else {
            print("added user \(result.user)@\(result.domain)")
        }
    }
}

/// `switchboard user list [--domain D] [--json]`.
struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users (never their passwords).")

    @Option(name: .long, help: "Only this domain (default: every domain).")
    var domain: String?

    @Flag(name: .long, help: "Print one JSON document: an array of {user, domain, aor, created}.")
    var json = false

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let users = try await connection.client().users(domain: domain)
        if json {
            try CLIOutput.printJSON(users)
        } else if users.isEmpty {
            print("no users")
        } else {
            print(TextTable.users(users).render(), terminator: "")
        }
    }
}

/// `switchboard user remove USER [--domain D]`.
struct UserRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user.")

    @Argument(help: "The user name.")
    var user: String

    @Option(name: .long, help: "The domain (default: the server's first domain).")
    var domain: String?

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let client = try connection.client()
        let domain = try await resolvedDomain(domain, client)
        try await client.removeUser(user: user, domain: domain)
        print("removed user \(user)@\(domain.lowercased())")
    }
}

/// `switchboard user passwd USER [--domain D] [--password P]`.
struct UserPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set a user's password.",
        discussion: "Without --password a strong password is generated and printed alone on stdout."
    )

    @Argument(help: "The user name.")
    var user: String

    @Option(name: .long, help: "The domain (default: the server's first domain).")
    var domain: String?

    @Option(name: .long, help: "The new password (generated when left out).")
    var password: String?

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let client = try connection.client()
        let domain = try await resolvedDomain(domain, client)
        let result = try await client.setPassword(user: user, domain: domain, password: password)
        if let generated = result.password {
            CLIOutput.note("changed the password of \(result.user)@\(result.domain); generated password:")
            print(generated)
        } else {
            print("changed the password of \(result.user)@\(result.domain)")
        }
    }
}

/// `switchboard user import FILE`.
struct UserImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add or update many users from a file, all or nothing.",
        discussion: """
            One user per line: user;domain;password. Further ;-separated columns, blank lines, \
            '#' comments and a SIPp header line (SEQUENTIAL, RANDOM, …) are ignored, so the \
            benchmark's users.csv imports as is. Existing users get the new password. If any line \
            is bad nothing is written and the error names the line. FILE '-' reads stdin.
            """
    )

    @Argument(help: "The file to import ('-' for stdin).")
    var file: String

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let client = try connection.client()
        let contents: Data
        if file == "-" {
            contents = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.unreadable(file) }
            contents = data
        }
        let result = try await client.importUsers(file: contents)
        print("imported \(result.imported) users (\(result.added) added, \(result.updated) updated)")
    }
}

/// `--domain`, else the server's first domain (asked over `GET /v1/health`).
private func resolvedDomain(_ domain: String?, _ client: AdminClient) async throws -> String {
    if let domain { return domain }
    return try await client.defaultDomain()
}

/// Local checks of a user name, so the CLI answers before asking the server.
enum UserNameCheck {
    /// `76/0000DEADBEEF` is a phone's login name (a line of instrument 0000DEADBEEF), not a user.
    static func problem(_ user: String) -> String? {
        if user.isEmpty { return "the user name is empty" }
        guard let slash = user.lastIndex(of: "/") else { return nil }
        let name = user[..<slash]
        let mac = user[user.index(after: slash)...]
        guard !name.isEmpty, !mac.isEmpty else { return nil }
        return """
            '\(user)' is a phone's login name, not a user: '/\(mac)' names the phone (instrument), \
            not the user. Create the user '\(name)', then give the phone that line: \
            switchboard instrument add \(mac) --vendor V --line \(name) (it then authenticates as \(user)).
            """
    }
}
