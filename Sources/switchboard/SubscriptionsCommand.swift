import AdminAPI
import ArgumentParser
import Foundation
import SIPCore

/// `switchboard subscriptions [--instrument MAC] [--json]`: the notifier's subscriptions (RFC
/// 6665; the phones watching their configuration with http-monitor, RFC 5989).
struct SubscriptionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions",
        abstract: "Show the event subscriptions the server holds (http-monitor), optionally of one instrument.",
        discussion: """
            --json prints one JSON document: an array of objects with package, resource, \
            instrument, subscriber (the authenticated user/MAC), expires (seconds left), expiresAt \
            (ISO 8601 UTC), transport, remoteAddress, remoteTarget, callId, localCSeq (the last \
            NOTIFY's CSeq), remoteCSeq; an unknown instrument is null.
            """
    )

    @Option(name: .long, help: "Only subscriptions concerning this instrument (a MAC in any spelling: 0000deadbeef, 00:00:de:ad:be:ef).")
    var instrument: String?

    @Flag(name: .long, help: "Print one JSON document (an array) instead of a table.")
    var json = false

    @OptionGroup var connection: AdminOptions

    func validate() throws {
        if let instrument {
            if instrument.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--instrument needs a value; leave it out to list every subscription")
            }
            if let problem = SIPInstrumentID.operatorInputProblem(instrument) { throw ValidationError("--instrument: \(problem)") }
        }
    }

    func run() async throws {
        let subscriptions = try await connection.client().subscriptions(instrument: instrument)
        if json {
            try CLIOutput.printJSON(subscriptions)
        } else if subscriptions.isEmpty {
            print("no subscriptions")
        } else {
            print(TextTable.subscriptions(subscriptions).render(maxWidth: TerminalWidth.current), terminator: "")
        }
    }
}
