public import Logging
public import AdminAPI
public import LogTap
public import Provisioning
public import SIPEvents
import NIOCore
import NIOPosix
import Prometheus
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
/// Shutdown (SIGTERM, SIGINT) is graceful and logged: `shutting down` when it begins, then the
/// services stop in reverse order (the SIP transport stops accepting and finishes its
/// transactions, the binding writer commits what is queued), then `shutdown complete` with the
/// store's counts. SIGHUP reloads the configuration templates (``ReloadOnHangup``).
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
    /// The SQLite store (users, bindings, provisioned instruments).
    public let store: SQLiteStore
    /// The admin HTTP API.
    public let admin: AdminServer
    /// The configuration service (RFC 6011), nil when `provisioning.listen` is `off`.
    public let provisioning: ProvisioningServer?
    /// Every record the server logs at or above its level, for `switchboard logs`.
    public let logTap: LogTap
    /// The binding writer (group commit), for the shutdown report.
    let writer: BindingWriter
    /// The RFC 6665 notifier (http-monitor).
    public let notifier: Notifier
    /// What SIGHUP does (``reload()``).
    let hangup: ReloadOnHangup

    /// - Parameters:
    ///   - logTap: where the server's loggers also publish their records (``LogTapHandler``),
    ///     read by the admin API's `GET /v1/logs`; a fresh one by default.
    ///   - metrics: the Prometheus backend exposed at `GET /metrics`; nil: no `/metrics`.
    public init(
        configuration: SwitchboardConfiguration, logger: Logger, logTap: LogTap = LogTap(),
        metrics: SwitchboardMetrics? = nil
    ) async throws {
        self.configuration = configuration
        self.logTap = logTap
        let logger = logger.feeding(logTap)
        self.logger = logger
        let domains = configuration.domains
        // Check the listeners before anything touches the data dir.
        let transportConfiguration = try Self.transportConfiguration(configuration)
        store = try SQLiteStore(
            configuration: SQLiteStore.Configuration(dataDirectory: configuration.dataDirectory),
            logger: logger.withLabel("switchboard.storage"))
        let location = LocationService()
        self.location = location
        let writer = BindingWriter(store: store, location: location)
        self.writer = writer
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
            verifier: auth.verifier, limiter: auth.limiter,
            provisionedLines: configuration.auth.instrumentPolicy == "provisioned" ? store.provisionedLines : nil,
            logger: logger.withLabel("switchboard.registrar"))

        // One event loop group (one loop per core) for the transport and the transaction
        // timers, which run on a timing wheel (O(1) schedule and cancel).
        let loops = MultiThreadedEventLoopGroup.singleton
        let transport = SIPTransportService(
            configuration: transportConfiguration, eventLoopGroup: loops,
            logger: logger.withLabel("switchboard.transport"))
        self.transport = transport
        let identity = SIPLocalIdentity(
            domains: domains, listenerHosts: transportConfiguration.listeners.map(\.url.host))
        let overload = OverloadSignal(
            ingress: transport.ingressLoad, writer: writer,
            commitBacklogLimit: configuration.registrar.overloadCommitBacklog, logger: logger.withLabel("switchboard.sip"))
        provisioning = try await Self.provisioningServer(
            configuration: configuration, store: store, lockout: auth.lockout,
            logger: logger.withLabel("switchboard.provisioning"))
        let proxySetup = try ProxySetup(
            configuration: configuration, transport: transportConfiguration, identity: identity, secret: auth.secretBytes)
        proxy = proxySetup
        let wheel = SIPTimerWheel(eventLoop: loops.next())
        let sender = TransactionRequestSender()
        let monitor = Self.httpMonitorPackage(configuration: configuration, store: store, provisioning: provisioning)
        notifier = Notifier(
            configuration: Notifier.Configuration(realm: configuration.auth.realm, requiresTLS: configuration.events.requireTLS),
            packages: [monitor], store: store, sender: sender, scheduler: wheel,
            clock: SystemClock(), challenger: auth.challenger, verifier: auth.verifier, limiter: auth.limiter,
            logger: logger.withLabel("switchboard.events"))
        chain = RequestChain.make(
            identity: identity, registrar: registrar, subscriptions: SubscribeProcessor(notifier: notifier, packages: [monitor]),
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
            listen: configuration.admin.listen, credentials: store, locations: store, provisioning: store, domains: domains,
            operations: Self.adminOperations(
                configuration: configuration, transport: transport, location: location, writer: writer, logTap: logTap,
                notifier: notifier, metrics: metrics),
            logger: logger.withLabel("switchboard.admin"))
        sender.bind(transactions)
        let resync = ResyncNotifier(
            vendors: Set(configuration.events.resyncVendors), location: location, credentials: store, sender: sender,
            domain: domains.first ?? "localhost", logger: logger.withLabel("switchboard.events"))
        let relay = ProvisioningChangeRelay(
            changes: store.provisioningChanges, credentialChanges: store.credentialChanges, store: store, notifier: notifier, resync: resync, package: monitor.name, transport: transport,
            logger: logger.withLabel("switchboard.events"))
        let notifier = self.notifier
        let hangup = ReloadOnHangup(
            provisioning: provisioning, templatesDirectory: configuration.provisioning.templatesDirectory,
            transport: transport, logger: logger,
            // New templates change every phone's file: tell every watching phone.
            reloaded: { await notifier.everyResourceChanged(package: monitor.name) })
        self.hangup = hangup
        // Graceful shutdown runs in reverse order: the announcer logs first, the transport
        // stops accepting and finishes its transactions, the writer flushes last.
        services =
            [writer, expiry, transport, admin.service, relay] + (provisioning.map { [$0.service] } ?? [])
            + [hangup, ShutdownAnnouncer(logger: logger)]
        transport.setReceiver(transactions)
        // SIGTERM: the transport stops reading, then waits until the writer has committed what
        // the registrar submitted and its 200s are written, then closes.
        transport.setDrainCondition { writer.backlog == 0 }
    }

    /// Binding updates queued or being committed (the group commit's backlog).
    public var commitBacklog: Int { writer.backlog }

    /// What the admin API serves about the server: the log tap, `/metrics` (and the gauges read
    /// at each scrape), `/v1/status`, the bearer token.
    static func adminOperations(
        configuration: SwitchboardConfiguration, transport: SIPTransportService, location: LocationService,
        writer: BindingWriter, logTap: LogTap, notifier: Notifier, metrics: SwitchboardMetrics?
    ) -> AdminOperations {
        metrics?.onScrape { registry in
            let logs = logTap.statistics
            registry.makeGauge(name: "switchboard_registrations_active", help: "Bindings held by the location service")
                .set(Int64(location.count))
            registry.makeGauge(name: "switchboard_subscriptions_active", help: "Subscriptions held by the notifier (RFC 6665)")
                .set(Int64(notifier.activeCount))
            registry.makeGauge(name: "switchboard_log_readers", help: "Live switchboard logs readers")
                .set(Int64(logs.subscribers))
            registry.makeGauge(name: "switchboard_log_records_dropped", help: "Log records dropped for slow readers since start")
                .set(Int64(logs.dropped))
        }
        let adminListen = configuration.admin.listen
        let provisioningListen = configuration.provisioning.listen
        let status: @Sendable () async -> AdminStatusDetails = {
            let sip: [SIPBoundListener] = (try? await transport.boundAddresses()) ?? []
            var listeners = sip.map { AdminListenerStatus(kind: "sip", url: "\($0)") }
            listeners.append(AdminListenerStatus(kind: "admin", url: adminListen))
            if let provisioningListen { listeners.append(AdminListenerStatus(kind: "provisioning", url: provisioningListen)) }
            return AdminStatusDetails(
                listeners: listeners, counts: [
                    "registrations": location.count, "commitBacklog": writer.backlog, "subscriptions": notifier.activeCount,
                ])
        }
        var exposition: (@Sendable () -> String)?
        if let metrics { exposition = { metrics.exposition() } }
        return AdminOperations(
            version: SwitchboardVersion.current, logTap: logTap, metrics: exposition, status: status,
            subscriptions: { await notifier.allSubscriptions() }, bearerToken: configuration.admin.token)
    }

    /// What SIGHUP does, on demand: TLS certificates (SIP and the configuration service) for
    /// new connections, then the configuration templates. Nothing already registered,
    /// subscribed or connected is dropped.
    public func reload() async {
        await hangup.reload()
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
        let statistics = writer.statistics
        logger.notice(
            "shutdown complete",
            metadata: [
                "event": "server.stopped",
                "store.batches": "\(statistics.batches)", "store.updates": "\(statistics.updates)",
                "store.failed_batches": "\(statistics.failedBatches)", "store.pending": "\(writer.backlog)",
                "registrations": "\(location.count)",
            ])
        logTap.finishAll()
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
            parserLimits: sip.limits, trace: messageTrace(configuration.logging))
    }

    /// `--trace-sip`: the trace's records at `info` on `switchboard.sip.trace`, whatever
    /// `logging.level` (asking for a trace is asking to see it), through the process's log
    /// backend only: not into the log tap, whose ring of recent events it would flush out.
    static func messageTrace(_ logging: LoggingConfiguration) -> SIPMessageTrace {
        guard logging.traceSIP else { return .off }
        var logger = Logger(label: "switchboard.sip.trace")
        logger.logLevel = .info
        return SIPMessageTrace(logger: logger, level: .info)
    }
}

extension Logger {
    /// A logger of the process's backend with `label` and this logger's level, that also
    /// publishes to this logger's ``LogTap`` when it has one.
    func withLabel(_ label: String) -> Logger {
        var copy = Logger(label: label)
        guard let tapping = handler as? LogTapHandler else {
            copy.logLevel = logLevel
            return copy
        }
        copy.logLevel = tapping.base.logLevel
        copy.handler = LogTapHandler(label: label, base: copy.handler, tap: tapping.tap)
        return copy
    }

    /// This logger, also publishing to `tap`.
    func feeding(_ tap: LogTap) -> Logger {
        if let existing = handler as? LogTapHandler, existing.tap === tap { return self }
        var copy = self
        copy.handler = LogTapHandler(label: label, base: handler, tap: tap)
        return copy
    }
}
