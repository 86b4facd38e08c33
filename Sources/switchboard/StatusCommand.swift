import AdminAPI
import ArgumentParser
import LogTap

/// `switchboard status [--json]`: version, uptime, listeners and counts of the running server.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running server's version, uptime, listeners and counts.")

    @Flag(name: .long, help: "Print the status as one JSON document.")
    var json = false

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let status = try await connection.client().status()
        if json {
            try CLIOutput.printJSON(status)
            return
        }
        print("switchboard \(status.version), up \(status.uptimeSeconds)s since \(status.startedAt)")
        print("domains: \(status.domains.joined(separator: ", "))")
        for listener in status.listeners { print("listening: \(listener.kind) \(listener.url)") }
        for (name, count) in status.counts.sorted(by: { $0.key < $1.key }) { print("\(name): \(count)") }
        print(
            "log readers: \(status.logs.subscribers), records held: \(status.logs.recent), dropped for slow readers: \(status.logs.dropped)")
    }
}
