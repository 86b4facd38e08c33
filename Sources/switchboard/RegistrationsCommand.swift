import AdminAPI
import ArgumentParser
import Foundation
import SIPCore

/// `switchboard registrations [--aor AOR] [--instrument MAC] [--json]`: the current bindings.
struct RegistrationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registrations",
        abstract: "Show current registrations (bindings), optionally of one AOR or instrument.",
        discussion: """
            --json prints one JSON document: an array of objects with aor, contact, expires \
            (seconds left), instrument, instance, regId, transport, source, userAgent, q, callId, \
            cseq, path, connectionId, localListener, expiresAt, registeredAt, updatedAt (ISO 8601 \
            UTC); unknown values are null.
            """
    )

    @Option(name: .long, help: "Only this address-of-record: sip:69@example.net, 69@example.net, or 69 (default domain).")
    var aor: String?

    @Option(name: .long, help: "Only bindings registered by this instrument (a MAC in any spelling: 0000deadbeef, 00:00:de:ad:be:ef).")
    var instrument: String?

    @Flag(name: .long, help: "Print one JSON document (an array) instead of a table.")
    var json = false

    @Flag(name: .long, help: "Print every column (source, instance, reg-id, user agent), however wide.")
    var wide = false

    @OptionGroup var connection: AdminOptions

    func validate() throws {
        if let aor, aor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--aor needs a value; leave it out to list every registration")
        }
        if let instrument {
            if instrument.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--instrument needs a value; leave it out to list every registration")
            }
            if let problem = SIPInstrumentID.operatorInputProblem(instrument) { throw ValidationError("--instrument: \(problem)") }
        }
    }

    func run() async throws {
        let registrations = try await connection.client().registrations(aor: aor, instrument: instrument)
        if json {
            try CLIOutput.printJSON(registrations)
        } else if registrations.isEmpty {
            print("no registrations")
        } else if wide {
            print(TextTable.registrations(registrations).render(), terminator: "")
        } else {
            print(TextTable.registrationsSummary(registrations).render(maxWidth: TerminalWidth.current), terminator: "")
        }
    }
}
