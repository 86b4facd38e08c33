import AdminAPI
import ArgumentParser
import Foundation
import Testing

@testable import switchboard

/// The CLI as a newcomer meets it (issue 11): local mistakes are refused before the server is
/// asked, with the subcommand's usage and a message that says what is wrong.
@Suite("CLI: local checks and messages")
struct CLIPapercutTests {
    /// The message ArgumentParser prints for a parse of `arguments`, or nil when it parses.
    static func parseError(_ command: any ParsableCommand.Type, _ arguments: [String]) -> String? {
        do {
            _ = try command.parseAsRoot(arguments)
            return nil
        } catch {
            return command.message(for: error)
        }
    }

    @Test("registrations refuses a malformed MAC and empty filters; a valid MAC parses", arguments: [
        (["--instrument", "zz:zz:zz"], "not a MAC address"), (["--instrument", "0000DEADBEE"], "11 hex digits"),
        (["--instrument", ""], "--instrument needs a value"), (["--aor", ""], "--aor needs a value"),
    ])
    func registrationsFilters(_ arguments: [String], _ expected: String) throws {
        let message = try #require(Self.parseError(RegistrationsCommand.self, arguments))
        #expect(message.contains(expected), "\(message)")
        #expect(Self.parseError(RegistrationsCommand.self, ["--instrument", "00:00:de:ad:be:ef"]) == nil)
    }

    @Test("A usage error names the subcommand's usage, not the top-level one")
    func subcommandUsage() {
        let usage = RegistrationsCommand.usageString()
        #expect(usage.contains("--instrument"))
        do {
            _ = try Switchboard.parseAsRoot(["registrations", "--instrument", "zz:zz:zz"])
            Issue.record("parsed")
        } catch {
            let text = Switchboard.fullMessage(for: error)
            #expect(text.contains("not a MAC address"))
            #expect(text.contains("registrations"), "the usage shown is the subcommand's: \(text)")
            #expect(!text.contains("SUBCOMMANDS"), "not the top-level usage: \(text)")
        }
    }

    @Test("logs validates its filters locally", arguments: [
        (["--instrument", "zz:zz:zz"], "not a MAC address"), (["--since", "10x"], "not a duration"),
        (["--level", "loud"], "--level"), (["--method", "RE GISTER"], "not a SIP method"), (["--aor", " "], "--aor needs a value"),
    ])
    func logsFilters(_ arguments: [String], _ expected: String) throws {
        let message = try #require(Self.parseError(LogsCommand.self, arguments))
        #expect(message.contains(expected), "\(message)")
    }

    @Test("logs turns its options into the server's query")
    func logsQuery() throws {
        let command = try LogsCommand.parse(["-f", "--instrument", "0000deadbeef", "--method", "register", "--since", "10m", "--level", "NOTICE"])
        #expect(
            command.query
                == AdminLogQuery(instrument: "0000deadbeef", method: "REGISTER", level: "notice", sinceSeconds: 600, follow: true))
    }

    @Test("--since durations", arguments: [("90", 90), ("90s", 90), ("10m", 600), ("2h", 7_200), ("1d", 86_400)])
    func durations(_ text: String, _ seconds: Int64) {
        #expect(LogDuration(text)?.seconds == seconds)
    }

    @Test("Not durations", arguments: ["", "m", "10x", "-5m", "1.5h", "367d", "١٠m"])
    func notDurations(_ text: String) {
        #expect(LogDuration(text) == nil)
    }

    @Test("user add 76/0000DEADBEEF says /MAC belongs to the phone's login name")
    func userWithMAC() throws {
        let message = try #require(Self.parseError(UserAdd.self, ["76/0000DEADBEEF"]))
        #expect(message.contains("phone's login name") && message.contains("Create the user '76'"), "\(message)")
        #expect(!message.contains("U+2F"))
        #expect(Self.parseError(UserAdd.self, ["76", "--domain", "other.org", "--force"]) == nil)
    }

    @Test("A missing import file is named, with the reason")
    func unreadableFile() {
        let missing = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/users.txt"
        #expect(CLIError.unreadable(missing).description == "cannot read '\(missing)': no such file")
        #expect(CLIError.unreadable("/tmp").description == "cannot read '/tmp': it is a directory")
        #expect(CLIError.unreadable("users.txt").description.contains("(in "), "a relative path says where it was looked for")
    }

    @Test("The registrations table fits the terminal: the widest column is cut, with …")
    func tableFits() {
        let registration = AdminRegistration(
            aor: "sip:69@example.net", contact: "<sip:69@192.0.2.10:5060;transport=udp;ob;x-long-parameter=" + String(repeating: "y", count: 80) + ">",
            expires: 3599, instrument: "0000DEADBEEF", instance: "<urn:uuid:00000000-0000-1000-8000-0000deadbeef>", regId: 1,
            transport: "udp", source: "192.0.2.10:5060", userAgent: "Yealink SIP-T54W 96.86.0.70", q: 1, callId: "c1", cseq: 2,
            path: [], connectionId: nil, localListener: "udp://0.0.0.0:5060", expiresAt: "2026-12-06T19:00:00.000Z",
            registeredAt: "2026-12-06T18:00:00.000Z", updatedAt: "2026-12-06T18:00:00.000Z")
        let wide = TextTable.registrations([registration]).render()
        #expect(wide.split(separator: "\n").map(\.count).max()! > 200)
        let fitted = TextTable.registrationsSummary([registration]).render(maxWidth: 80)
        for line in fitted.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        #expect(fitted.contains("…"))
        #expect(fitted.contains("0000DEADBEEF") && fitted.contains("sip:69@example.net"))
        #expect(TextTable.registrationsSummary([registration]).render(maxWidth: nil) == TextTable.registrationsSummary([registration]).render())
    }
}

@Suite("README management examples")
struct ReadmeExamplesTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    @Test("Shell examples never call a bare `switchboard` (not on PATH after a build): a path or $switchboard")
    func noBareCommand() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        var inShell = false
        var commands = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell else { continue }
            #expect(!line.hasPrefix("switchboard "), "bare command in README: \(line)")
            if line.hasPrefix("$switchboard ") { commands += 1 }
        }
        #expect(commands >= 8)
        #expect(text.contains("switchboard=.build/release/switchboard"))
        #expect(text.contains("swift run -c release switchboard serve"), "the build that makes .build/release/switchboard")
    }
}
