import Logging
import NIOPosix
import Provisioning
import SIPTransport
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads what can change without a restart, and never drops a registration,
/// subscription, connection or transaction:
/// - the configuration service's templates (`provisioning.templates`); a directory that no
///   longer loads (a template missing or broken) keeps the templates in use and logs why;
/// - the TLS certificates, for new connections: the SIP TLS listeners and outbound TLS
///   (`sip.tls.certificate`/`privateKey`, or the self-signed pair in the data dir) and the
///   configuration service's HTTPS listeners (`provisioning.certificate`/`privateKey`, else the
///   same files). Connections already open keep the session they negotiated. A pair that does
///   not load or whose key does not match keeps the certificate in use and logs why.
struct ReloadOnHangup: Service {
    let provisioning: ProvisioningServer?
    let templatesDirectory: String
    /// The SIP transport, whose TLS certificate is reloaded.
    var transport: SIPTransportService?
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
        await reloadCertificates()
        await reloadTemplates()
    }

    func reloadCertificates() async {
        if let transport {
            do {
                if let info = try await transport.reloadTLSCertificate() {
                    logger.notice(
                        "SIGHUP: SIP TLS certificate reloaded for new connections",
                        metadata: ["event": "server.reload", "sip.tls.sha256": "\(info.sha256Fingerprint)", "path": "\(info.certificatePath)"])
                }
            } catch {
                logger.error(
                    "SIGHUP: SIP TLS certificate not reloaded, the previous one stays in use",
                    metadata: ["event": "server.reload_failed", "error": "\(error)"])
            }
        }
        if let identity = provisioning?.identity {
            do {
                try await NIOThreadPool.singleton.runIfActive { try identity.reload() }
                logger.notice(
                    "SIGHUP: configuration service TLS certificate reloaded for new connections",
                    metadata: ["event": "server.reload", "path": "\(identity.certificatePath)"])
            } catch {
                logger.error(
                    "SIGHUP: configuration service TLS certificate not reloaded, the previous one stays in use",
                    metadata: ["event": "server.reload_failed", "path": "\(identity.certificatePath)", "error": "\(error)"])
            }
        }
    }

    func reloadTemplates() async {
        guard let provisioning else {
            logger.notice("SIGHUP: no templates to reload (the configuration service is off)", metadata: ["event": "server.reload"])
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
