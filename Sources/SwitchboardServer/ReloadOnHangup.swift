import Logging
import Provisioning
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads what can change without a restart: the configuration service's templates
/// (`provisioning.templates`). Registrations, connections and transactions are untouched. A
/// directory that no longer loads (a template missing or broken) keeps the templates in use
/// and logs why. TLS certificates are read at start only: restart to change them.
struct ReloadOnHangup: Service {
    let provisioning: ProvisioningServer?
    let templatesDirectory: String
    let logger: Logger
    /// Runs after new templates are in use (the notifier tells every watching phone).
    var reloaded: @Sendable () async -> Void = {}

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    func reload() async {
        guard let provisioning else {
            logger.notice("SIGHUP: nothing to reload (the configuration service is off)", metadata: ["event": "server.reload"])
            return
        }
        do {
            let templates = try await ConfigurationTemplates(directory: templatesDirectory)
            provisioning.responder.replaceTemplates(templates)
            await reloaded()
            logger.notice(
                "SIGHUP: configuration templates reloaded",
                metadata: ["event": "server.reload", "templates": "\(templatesDirectory)"])
        } catch {
            logger.error(
                "SIGHUP: templates not reloaded, the previous ones stay in use",
                metadata: ["event": "server.reload_failed", "templates": "\(templatesDirectory)", "error": "\(error)"])
        }
    }
}
