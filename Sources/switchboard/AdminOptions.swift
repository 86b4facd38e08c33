import AdminAPI
import ArgumentParser
import Foundation

/// `--admin URL`, accepted after every subcommand that talks to a running server
/// (`switchboard user add 69 --admin http://127.0.0.1:9000`). Default: `$SWITCHBOARD_ADMIN`, else
/// `http://127.0.0.1:8080`.
struct AdminOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Admin API of the running server (default: $SWITCHBOARD_ADMIN, else http://127.0.0.1:8080).", valueName: "URL"))
    var admin: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Bearer token of an admin API that is not on loopback (default: $SWITCHBOARD_ADMIN_TOKEN).", valueName: "TOKEN"))
    var token: String?

    /// A malformed URL is a usage error of the subcommand.
    func validate() throws {
        if let admin {
            do { _ = try AdminListenAddress(parsing: admin) } catch { throw ValidationError("--admin: \(error.description)") }
        }
    }

    /// The client for the resolved URL (a malformed `$SWITCHBOARD_ADMIN` is reported by name).
    func client() throws -> AdminClient {
        let environment = ProcessInfo.processInfo.environment
        let url = AdminClient.resolveURL(option: admin, environment: environment)
        let token = token ?? environment[AdminClient.tokenEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try AdminClient(url: url, token: token)
        } catch {
            throw CLIError("\(admin == nil ? "$\(AdminClient.environmentVariable)" : "--admin"): \(error.description)")
        }
    }
}

/// Output helpers shared by the admin commands: results on stdout, notes on stderr.
enum CLIOutput {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// One JSON document on stdout: pretty-printed, keys sorted.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        // Foundation pretty-prints an empty array as "[\n\n]"; print the conventional form.
        print(text.allSatisfy { "[] \n".contains($0) } ? "[]" : text)
    }
}
