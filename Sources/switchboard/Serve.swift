import ArgumentParser
import Configuration
import LogTap
import Logging
import SwitchboardServer

/// `switchboard serve`: runs the server until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the SIP registrar/proxy.",
        discussion: """
            Listeners default to udp+tcp 0.0.0.0:5060 and tls 0.0.0.0:5061; data (SQLite, keys,
            self-signed TLS certificate) goes to ./var. Flags override the environment
            (SWITCHBOARD_*), which overrides the config file.
            """
    )

    @Option(name: .long, help: "YAML configuration file (see conf/switchboard.yaml).")
    var config: String?

    @Option(name: .long, help: "Data directory.")
    var data: String?

    @Option(name: .long, help: "A SIP domain this server is responsible for (repeatable).")
    var domain: [String] = []

    @Option(name: .long, help: "SIP listener: udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (repeatable).")
    var sip: [String] = []

    @Option(name: .long, help: "Admin API listener, e.g. http://127.0.0.1:8080.")
    var admin: String?

    @Option(name: .long, help: "Configuration service (RFC 6011) listener, e.g. https://0.0.0.0:8443, or off.")
    var http: String?

    @Option(name: .long, help: "Log format: text or json.")
    var logFormat: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    /// The configuration keys the given flags set; they take precedence over the environment
    /// and the file.
    var overrides: [String: ConfigContent] {
        var overrides: [String: ConfigContent] = [:]
        if let data { overrides["server.dataDir"] = .string(data) }
        if !domain.isEmpty { overrides["server.domains"] = .stringArray(domain) }
        if !sip.isEmpty { overrides["sip.listen"] = .stringArray(sip) }
        if let admin { overrides["admin.listen"] = .string(admin) }
        if let http { overrides["provisioning.listen"] = .string(http) }
        if let logFormat { overrides["logging.format"] = .string(logFormat) }
        if let logLevel { overrides["logging.level"] = .string(logLevel) }
        return overrides
    }

    func run() async throws {
        let configuration: SwitchboardConfiguration
        do {
            configuration = try await SwitchboardConfiguration.load(filePath: config, overrides: overrides)
        } catch {
            throw ValidationError("\(error)")
        }
        let logs = LogBootstrap.bootstrap(configuration.logging)
        defer { logs.stop() }  // writes the last lines, also when the server fails
        let metrics = SwitchboardMetrics.bootstrap()  // before any metric object is made
        let logger = Logger(label: "switchboard")
        let server = try await SwitchboardApplication(
            configuration: configuration, logger: logger, logTap: LogBootstrap.tap(configuration.logging), metrics: metrics)
        try await server.run()
        logger.notice("stopped")
    }
}
