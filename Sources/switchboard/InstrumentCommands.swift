import AdminAPI
import ArgumentParser

/// `switchboard instrument …`: provision phones by MAC address and assign users to their lines
/// (RFC 6011 §1.3.2), through the admin API. Each line authenticates as `user/MAC`.
struct InstrumentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instrument",
        abstract: "Provision instruments (phones, by MAC address) and their line appearances.",
        subcommands: [
            InstrumentAdd.self, InstrumentList.self, InstrumentShow.self, InstrumentRemove.self, InstrumentLineCommand.self,
        ]
    )
}

/// `switchboard instrument add MAC --vendor V [--model M] [--label L] --line USER[@DOMAIN]…`.
struct InstrumentAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Provision an instrument.",
        discussion: """
            MAC in any spelling (0000deadbeef, 00:00:DE:AD:BE:EF). Lines are numbered in the order \
            given; each user must exist (switchboard user add) and authenticates as USER/MAC.
            """
    )

    @Argument(help: "The MAC address.")
    var mac: String

    @Option(name: .long, help: "The vendor: snom, yealink, polycom, grandstream, cisco, fanvil.")
    var vendor: String

    @Option(name: .long, help: "The model (e.g. T54W).")
    var model: String?

    @Option(name: .long, help: "A label for the operator (e.g. 'desk 4.12').")
    var label: String?

    @Option(name: .long, help: ArgumentHelp("A line appearance (repeatable, in line order).", valueName: "USER[@DOMAIN]"))
    var line: [String] = []

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let lines = line.map { LineSpec($0).newLine() }
        let added = try await connection.client().addInstrument(
            AdminNewInstrument(mac: mac, vendor: vendor, model: model, label: label, lines: lines))
        print("added instrument \(added.mac) (\(added.vendor)) with \(added.lines.count) line(s): "
            + (added.lines.isEmpty ? "-" : added.lines.map(\.authUser).joined(separator: ", ")))
    }
}

/// `switchboard instrument list [--json]`.
struct InstrumentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List provisioned instruments.")

    @Flag(name: .long, help: "Print one JSON document: an array of instruments with their lines.")
    var json = false

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let instruments = try await connection.client().instruments()
        if json {
            try CLIOutput.printJSON(instruments)
        } else if instruments.isEmpty {
            print("no instruments")
        } else {
            print(TextTable.instruments(instruments).render(), terminator: "")
        }
    }
}

/// `switchboard instrument show MAC [--json]`.
struct InstrumentShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one instrument and its lines.")

    @Argument(help: "The MAC address.")
    var mac: String

    @Flag(name: .long, help: "Print the instrument as one JSON document.")
    var json = false

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        let instrument = try await connection.client().instrument(mac: mac)
        if json {
            try CLIOutput.printJSON(instrument)
            return
        }
        print("instrument \(instrument.mac)")
        print("vendor     \(instrument.vendor)")
        print("model      \(instrument.model ?? "-")")
        print("label      \(instrument.label ?? "-")")
        print("version    \(instrument.configurationVersion)")
        print("updated    \(instrument.updated)")
        if instrument.lines.isEmpty {
            print("no lines")
        } else {
            print(TextTable.lines(instrument.lines).render(), terminator: "")
        }
    }
}

/// `switchboard instrument remove MAC`.
struct InstrumentRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an instrument and its lines.")

    @Argument(help: "The MAC address.")
    var mac: String

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        try await connection.client().removeInstrument(mac: mac)
        print("removed instrument \(mac)")
    }
}

/// `switchboard instrument line add|remove`.
struct InstrumentLineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "line", abstract: "Add or remove a line appearance of an instrument.",
        subcommands: [InstrumentLineAdd.self, InstrumentLineRemove.self])
}

/// `switchboard instrument line add MAC USER[@DOMAIN] [--index N] [--display-name NAME]`.
struct InstrumentLineAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a line appearance.")

    @Argument(help: "The MAC address.")
    var mac: String

    @Argument(help: ArgumentHelp("The user of the line.", valueName: "USER[@DOMAIN]"))
    var user: String

    @Option(name: .long, help: "The line number (default: the lowest free one).")
    var index: Int?

    @Option(name: .long, help: "The name the phone shows for the line.")
    var displayName: String?

    @OptionGroup var connection: AdminOptions

    func run() async throws {
        var line = LineSpec(user).newLine()
        line.index = index
        line.displayName = displayName
        let instrument = try await connection.client().addLine(line, to: mac)
        let added = instrument.lines.first { $0.user == line.user && (line.domain == nil || $0.domain == line.domain?.lowercased()) }
        print("added line \(added.map { "\($0.index) (\($0.authUser))" } ?? user) to \(instrument.mac), version \(instrument.configurationVersion)")
    }
}

/// `switchboard instrument line remove MAC (USER[@DOMAIN] | --index N)`.
struct InstrumentLineRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a line appearance, named by its user or its --index.")

    @Argument(help: "The MAC address.")
    var mac: String

    @Argument(help: ArgumentHelp("The user of the line.", valueName: "USER[@DOMAIN]"))
    var user: String?

    @Option(name: .long, help: "The line number.")
    var index: Int?

    @OptionGroup var connection: AdminOptions

    func validate() throws {
        if (user == nil) == (index == nil) { throw ValidationError("name the line by USER or by --index, not both") }
    }

    func run() async throws {
        let client = try connection.client()
        var lineIndex = index
        if let user {
            let spec = LineSpec(user)
            let instrument = try await client.instrument(mac: mac)
            let matches = instrument.lines.filter { $0.user == spec.user && (spec.domain == nil || $0.domain == spec.domain?.lowercased()) }
            guard matches.count == 1 else {
                throw ValidationError(
                    matches.isEmpty ? "\(user) has no line on \(instrument.mac)" : "\(user) has several lines; use --index")
            }
            lineIndex = matches[0].index
        }
        guard let lineIndex else { return }
        let instrument = try await client.removeLine(index: lineIndex, from: mac)
        print("removed line \(lineIndex) from \(instrument.mac), version \(instrument.configurationVersion)")
    }
}

/// `USER` or `USER@DOMAIN`, split at the last `@` (user names cannot hold one).
struct LineSpec {
    var user: String
    var domain: String?

    init(_ text: String) {
        if let at = text.lastIndex(of: "@") {
            user = String(text[..<at])
            domain = String(text[text.index(after: at)...])
        } else {
            user = text
            domain = nil
        }
    }

    func newLine() -> AdminNewLine { AdminNewLine(user: user, domain: domain) }
}
