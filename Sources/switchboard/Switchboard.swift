import ArgumentParser
import SwitchboardServer

/// `switchboard`: the command-line entry point. Every command but `serve` talks to a running
/// server through its admin API.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "An instrument-aware SIP registrar and proxy.",
        version: SwitchboardVersion.current,
        subcommands: [
            Serve.self, UserCommand.self, InstrumentCommand.self, RegistrationsCommand.self, LogsCommand.self,
            StatusCommand.self, DiscoveryCommand.self,
        ]
    )
}
