import AdminAPI
import ArgumentParser
import Foundation
import LogTap
import Logging
import SIPCore

/// `switchboard logs [--follow] [--instrument MAC] [--aor AOR] [--method M] [--level L]
/// [--since 10m] [--json]`: the running server's log records, filtered on the server.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show the server's log events, optionally of one phone or AOR, and follow them live.",
        discussion: """
            Filters run on the server, so following one phone costs nothing for the others. \
            Without --follow, the recent events the server still holds (the last 10,000) are \
            printed, those within --since when given. With --follow, new events are printed as they \
            happen until Ctrl-C, after the recent ones within --since when given. The server keeps \
            info events and more severe for this command even when its log level is quieter. If \
            this reader falls behind, the server drops events rather than slow down; a note on \
            stderr says how many.

            Example: switchboard logs --follow --instrument 0000DEADBEEF
            """
    )

    @Flag(name: [.short, .long], help: "Keep printing new events as they are logged (until Ctrl-C).")
    var follow = false

    @Option(name: .long, help: "Only events of this phone: a MAC in any spelling (0000deadbeef, 00:00:de:ad:be:ef).")
    var instrument: String?

    @Option(name: .long, help: "Only events of this address-of-record: sip:69@example.net, 69@example.net, or 69.")
    var aor: String?

    @Option(name: .long, help: "Only events of this SIP method (REGISTER, OPTIONS, …).")
    var method: String?

    @Option(name: .long, help: "Only events at this level or more severe: trace, debug, info, notice, warning, error, critical.")
    var level: String?

    @Option(name: .long, help: ArgumentHelp("Start with the recent events of this long ago: 90s, 10m, 2h, 1d.", valueName: "DURATION"))
    var since: String?

    @Flag(name: .long, help: "Print each event as one JSON object per line (as --log-format json writes them).")
    var json = false

    @OptionGroup var connection: AdminOptions

    func validate() throws {
        for (name, value) in [("--instrument", instrument), ("--aor", aor), ("--method", method), ("--level", level), ("--since", since)] {
            if let value, value.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("\(name) needs a value; leave it out to not filter")
            }
        }
        if let instrument, let problem = SIPInstrumentID.operatorInputProblem(instrument) {
            throw ValidationError("--instrument: \(problem)")
        }
        if let method, !method.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw ValidationError("--method: '\(method)' is not a SIP method name (letters only, e.g. REGISTER)")
        }
        if let level, Logger.Level(rawValue: level.lowercased()) == nil {
            throw ValidationError("--level: '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        if let since, LogDuration(since) == nil {
            throw ValidationError("--since: '\(since)' is not a duration such as 90s, 10m, 2h or 1d (at most 366d)")
        }
    }

    var query: AdminLogQuery {
        AdminLogQuery(
            instrument: instrument, aor: aor, method: method?.uppercased(), level: level?.lowercased(),
            sinceSeconds: since.flatMap(LogDuration.init)?.seconds, follow: follow)
    }

    func run() async throws {
        let client = try connection.client()
        for try await event in client.logs(query) {
            switch event {
            case .record(let record, let line):
                Self.write(json ? line + "\n" : Self.text(record))
            case .dropped(let count):
                CLIOutput.note("logs: the server dropped \(count) events for this reader so far (it fell behind)")
            }
        }
    }

    /// A record in the text log format (`2026-…Z info switchboard.registrar: register.ok …`).
    static func text(_ record: AdminLogRecord) -> String {
        let milliseconds = Int64((record.ts * 1_000).rounded())
        let metadata = (record.meta ?? [:]).mapValues { Logger.MetadataValue.string($0) }
        let line = LogLineFormat.text.line(
            LogRecord(
                time: LogTimestamp(SIPTimestamp(millisecondsSince1970: milliseconds)),
                level: Logger.Level(rawValue: record.level) ?? .info, label: record.label, message: record.msg,
                metadata: metadata))
        return String(decoding: line, as: UTF8.self)
    }

    /// Written at once, not buffered, so a pipe sees each event as it comes.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
