public import Logging
public import AdminAPI
import NIOCore
import NIOPosix
import SIPAuth
import SIPCore
import SIPRegistrar
public import SIPStorage
public import SIPStorageSQLite
import SIPTransaction
public import SIPTransport
import ServiceLifecycle
import Synchronization
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// The composition root: builds every part from the configuration and runs them in one
/// `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT.
///
/// Start order: storage (SQLite in the data dir, migrated), restore of unexpired bindings into
/// the location service, then the group: the binding writer (group commit), the expiry sweep and
/// the SIP transport, whose listeners feed the transaction layer, whose user is the request
/// processor chain (``RequestChain``).
public final class SwitchboardApplication: Sendable {
    public let configuration: SwitchboardConfiguration
    let logger: Logger
    let transport: SIPTransportService
    let transactions: SIPTransactionLayer
    let chain: SIPProcessorChain
    let proxy: ProxySetup
    let services: [any Service]
    let expiry: RegistrationExpiryService
    /// The location service (every current binding), for tests and the admin API.
    public let location: LocationService
    /// The SQLite store (users, bindings).
    public let store: SQLiteStore
    /// The admin HTTP API.
    public let admin: AdminServer

    public init(configuration: SwitchboardConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        let domains = configuration.domains
        if configuration.auth.instrumentPolicy == "provisioned" {
            throw SwitchboardConfigurationError(
                key: "auth.instrumentPolicy",
                "'provisioned' needs instrument provisioning, which this version does not have yet; use 'open'")
        }

        // Check the listeners before anything touches the data dir.
        let transportConfiguration = try Self.transportConfiguration(configuration)
        store = try SQLiteStore(
            configuration: SQLiteStore.Configuration(dataDirectory: configuration.dataDirectory),
            logger: logger.withLabel("switchboard.storage"))
        location = LocationService()
        let writer = BindingWriter(store: store, location: location)
        expiry = RegistrationExpiryService(
            store: store, location: location, interval: .seconds(configuration.registrar.purgeIntervalSeconds),
            logger: logger)
        try await expiry.restore()
        // The restore's transient allocations (rows, sorting) go back to the system now rather
        // than staying in the heap's free lists for the life of the process.
        Self.returnFreeMemoryToTheSystem()

        let auth = try AuthSetup(configuration: configuration, logger: logger)
        let registrar = Registrar(
            configuration: SIPRegistrarConfiguration(
                domains: Set(domains),
                policy: RegistrarPolicy(
                    defaultExpires: UInt32(configuration.registrar.defaultExpires),
                    minExpires: UInt32(configuration.registrar.minExpires),
                    maxExpires: UInt32(configuration.registrar.maxExpires)),
                realm: configuration.auth.realm, requireAORMatch: configuration.auth.requireAORMatch,
                challengeKind: configuration.auth.registerChallenge == 407 ? .proxyAuthenticate : .wwwAuthenticate),
            location: location, credentials: store, writer: writer, challenger: auth.challenger,
            verifier: auth.verifier, limiter: auth.limiter, logger: logger.withLabel("switchboard.registrar"))

        // One event loop group (one loop per core) for the transport and the transaction
        // timers, which run on a timing wheel (O(1) schedule and cancel).
        let loops = MultiThreadedEventLoopGroup.singleton
        transport = SIPTransportService(
            configuration: transportConfiguration, eventLoopGroup: loops,
            logger: logger.withLabel("switchboard.transport"))
        let identity = SIPLocalIdentity(
            domains: domains, listenerHosts: transportConfiguration.listeners.map(\.url.host))
        let overload = OverloadSignal(
            ingress: transport.ingressLoad, writer: writer,
            commitBacklogLimit: configuration.registrar.overloadCommitBacklog, logger: logger.withLabel("switchboard.sip"))
        let proxySetup = try ProxySetup(
            configuration: configuration, transport: transportConfiguration, identity: identity, secret: auth.secretBytes)
        proxy = proxySetup
        let wheel = SIPTimerWheel(eventLoop: loops.next())
        chain = RequestChain.make(
            identity: identity, registrar: registrar,
            proxy: RequestChain.ProxyParts(
                setup: proxySetup, location: location, credentials: store, auth: auth, sender: transport,
                scheduler: wheel),
            logger: logger.withLabel("switchboard.sip"))
        let timers = configuration.timers
        transactions = try SIPTransactionLayer(
            sender: transport, scheduler: wheel,
            user: chain,
            configuration: SIPTransactionLayer.Configuration(
                timers: SIPTimerConfiguration(
                    t1: .milliseconds(timers.t1Milliseconds), t2: .milliseconds(timers.t2Milliseconds),
                    t4: .milliseconds(timers.t4Milliseconds))),
            admissionGate: SIPOverloadGate(isOverloaded: { overload.isOverloaded }),
            logger: logger.withLabel("switchboard.transaction"))
        admin = try AdminServer(
            listen: configuration.admin.listen, credentials: store, locations: store, domains: domains,
            logger: logger.withLabel("switchboard.admin"))
        services = [writer, expiry, transport, admin.service]
        transport.setReceiver(transactions)
    }

    /// The bound SIP listeners, once the transport has started.
    public func sipListeners() async throws -> [SIPBoundListener] {
        let bound = try await transport.boundAddresses()
        proxy.update(bound: bound)
        return bound
    }

    /// Runs until SIGTERM/SIGINT (or cancellation), then shuts down gracefully.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        async let announced: Void = announce()
        try await group.run()
        await announced
    }

    private func announce() async {
        do {
            let startup = try await transport.waitUntilStarted()
            proxy.update(bound: startup.listeners)
            if let certificate = startup.tlsCertificate {
                logger.notice(
                    "TLS certificate", metadata: [
                        "sha256": "\(certificate.sha256Fingerprint)", "path": "\(certificate.certificatePath)",
                        "self_signed": "\(certificate.isSelfSigned)", "created": "\(certificate.wasCreated)",
                    ])
            }
            logger.notice(
                "Switchboard \(SwitchboardVersion.current) listening",
                metadata: [
                    "sip": "\(startup.listeners.map(\.description).joined(separator: " "))",
                    "domains": "\(configuration.domains.joined(separator: ","))",
                    "data": "\(configuration.dataDirectory)",
                ])
        } catch {
            logger.error("SIP transport failed to start", metadata: ["error": "\(error)"])
        }
    }

    /// glibc's `malloc_trim(0)` (looked up at run time: it is not in the Glibc module map).
    static func returnFreeMemoryToTheSystem() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
        #endif
    }

    static func transportConfiguration(_ configuration: SwitchboardConfiguration) throws -> SIPTransportConfiguration {
        let sip = configuration.sip
        guard let verification = SIPTLSClientVerification(mode: sip.tlsClientVerification, caBundlePath: sip.tlsCABundlePath)
        else {
            throw SwitchboardConfigurationError(key: "sip.tls.clientVerification", "unknown mode")
        }
        var listeners: [SIPListener] = []
        for text in sip.listeners {
            do {
                let url = try SIPListenerURL(parsing: text)
                listeners.append(SIPListener(url: url, clientCertificates: url.transport == .tls ? verification : .none))
            } catch {
                throw SwitchboardConfigurationError(key: "sip.listen", "\(error)")
            }
        }
        return SIPTransportConfiguration(
            listeners: listeners,
            tls: SIPTLSSettings(
                certificatePath: sip.tlsCertificatePath, privateKeyPath: sip.tlsPrivateKeyPath,
                dataDirectory: configuration.dataDirectory, domains: configuration.domains),
            limits: SIPTransportLimits(
                maxConnections: sip.maxConnections, maxBufferedBytesPerConnection: sip.maxBufferedBytesPerConnection,
                idleTimeout: .seconds(Int64(sip.connectionIdleTimeoutSeconds))),
            parserLimits: sip.limits)
    }
}

extension Logger {
    func withLabel(_ label: String) -> Logger {
        var copy = Logger(label: label)
        copy.logLevel = logLevel
        return copy
    }
}
