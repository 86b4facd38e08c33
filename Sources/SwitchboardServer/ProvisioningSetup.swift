import Foundation
import Logging
import Provisioning
import SIPAuth
import SIPStorage
import SIPStorageSQLite
import SIPTransport
import SIPEvents

extension SwitchboardApplication {
    /// The configuration service (RFC 6011) from the `provisioning` keys, or nil when
    /// `provisioning.listen` is `off`. Its TLS certificate is `provisioning.certificate`, else
    /// `sip.tls.certificate`, else the self-signed one in the data dir (shared with SIP TLS).
    /// Its digest nonces come from the same server secret as SIP's, under the same realm, so a
    /// line's credentials work for both; failures are counted by a limiter of its own.
    static func provisioningServer(
        configuration: SwitchboardConfiguration, store: SQLiteStore, lockout: AuthFailureLimiterConfiguration,
        logger: Logger
    ) async throws -> ProvisioningServer? {
        let settings = configuration.provisioning
        guard let listenText = settings.listen else { return nil }
        func fail(_ key: String, _ error: ProvisioningError) -> SwitchboardConfigurationError {
            SwitchboardConfigurationError(key: key, error.message)
        }
        let listen: ProvisioningListenAddress
        do { listen = try ProvisioningListenAddress(parsing: listenText) } catch { throw fail("provisioning.listen", error) }
        var deviceListen: ProvisioningListenAddress?
        if let text = settings.deviceListen {
            do { deviceListen = try ProvisioningListenAddress(parsing: text) } catch {
                throw fail("provisioning.deviceListen", error)
            }
        }
        let certificate: (String, String)
        if let path = settings.certificatePath, let key = settings.privateKeyPath {
            certificate = (path, key)
        } else if let path = configuration.sip.tlsCertificatePath, let key = configuration.sip.tlsPrivateKeyPath {
            certificate = (path, key)
        } else {
            let info = try SIPSelfSignedCertificate.loadOrCreate(
                dataDirectory: configuration.dataDirectory, domains: configuration.domains)
            certificate = (info.certificatePath, info.privateKeyPath)
        }
        let domain = configuration.domains.first ?? "localhost"
        let transport = ProvisionedSIPService.Transport(rawValue: settings.transport) ?? .udp
        let serviceConfiguration = ProvisioningConfiguration(
            listen: listen, deviceListen: deviceListen, deviceCABundlePath: settings.deviceCABundlePath,
            certificatePath: certificate.0, privateKeyPath: certificate.1, templatesDirectory: settings.templatesDirectory,
            maxAgeSeconds: settings.maxAgeSeconds, realm: configuration.auth.realm, allowsBasic: settings.allowsBasic,
            sip: ProvisionedSIPService(
                registrar: settings.registrar ?? domain, port: settings.port, transport: transport,
                outboundProxy: settings.outboundProxy),
            monitorDomain: settings.monitor ? domain : nil,
            rateLimit: SourceRateLimiter.Configuration(
                requestsPerMinute: settings.rateLimitPerMinute, burst: settings.rateLimitBurst,
                exemptSources: Set(settings.rateLimitExempt)),
            lockout: lockout)
        guard FileManager.default.fileExists(atPath: settings.templatesDirectory) else {
            throw SwitchboardConfigurationError(
                key: "provisioning.templates",
                "no template directory at \(settings.templatesDirectory) (run from the repository, set provisioning.templates, or --http off)")
        }
        let templates: ConfigurationTemplates
        do { templates = try await ConfigurationTemplates(directory: settings.templatesDirectory) } catch {
            throw fail("provisioning.templates", error)
        }
        let auth = try AuthSetup(configuration: configuration, logger: logger)
        let authenticator = ProvisioningAuthenticator(
            realm: configuration.auth.realm, allowsBasic: settings.allowsBasic, challenger: auth.challenger,
            verifier: auth.verifier, limiter: try AuthFailureLimiter(configuration: lockout), credentials: store)
        let responder = ConfigurationService(
            configuration: serviceConfiguration, templates: templates, provisioning: store, credentials: store,
            authenticator: authenticator, logger: logger)
        do { return try ProvisioningServer(responder: responder, logger: logger) } catch {
            throw fail("provisioning", error)
        }
    }
}

extension SwitchboardApplication {
    /// The http-monitor package (RFC 5989) over the provisioning store: subscribers are the
    /// phones' lines; the state of `~~cf~MAC` is the HEAD of its configuration from the
    /// configuration service (none while the service is off: every resource then reads as gone).
    static func httpMonitorPackage(
        configuration: SwitchboardConfiguration, store: SQLiteStore, provisioning: ProvisioningServer?
    ) -> HTTPMonitorPackage {
        let responder = provisioning?.responder
        return HTTPMonitorPackage(
            domains: configuration.domains, prefix: ConfigurationService.monitorPrefix, provisioning: store,
            credentials: store,
            expiry: SubscriptionExpiryPolicy(
                minimum: UInt32(configuration.events.monitorMinExpires),
                default: UInt32(configuration.events.monitorDefaultExpires),
                maximum: UInt32(configuration.events.monitorMaxExpires))
        ) { id in await responder?.head(of: id) }
    }
}
