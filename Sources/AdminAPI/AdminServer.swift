public import Hummingbird
public import Logging
import NIOCore
public import SIPCore
public import SIPStorage
public import ServiceLifecycle
import Synchronization

/// The admin HTTP API of a running Switchboard (HTTP/1.1, JSON bodies, RFC 9110 semantics),
/// served by Hummingbird on the `--admin` listener (default `http://127.0.0.1:8080`). It is what
/// every `switchboard` command but `serve` talks to.
///
/// | Route | Answer |
/// |---|---|
/// | `GET /v1/health` | 200 ``AdminHealth`` |
/// | `GET /v1/users[?domain=D]` | 200 `[`` AdminUser ``]`, every domain when none is given |
/// | `POST /v1/users` ``AdminNewUser`` | 201 ``AdminCredentialResult`` (with the password only when generated); 409 if the user exists |
/// | `DELETE /v1/users/{domain}/{user}` | 204; 404 if there is no such user |
/// | `PUT /v1/users/{domain}/{user}/password` ``AdminPasswordChange`` | 200 ``AdminCredentialResult``; 404 if there is no such user |
/// | `POST /v1/users/import` (text body, ``UserImport`` format) | 200 ``AdminImportResult``; 400 naming the bad line, nothing written |
/// | `GET /v1/registrations[?aor=A&instrument=I]` | 200 `[`` AdminRegistration ``]` |
/// | `/v1/instruments…` | provisioned instruments and their lines (see `AdminRoutes+Instruments.swift`) |
/// | `GET /v1/logs[?instrument=&aor=&method=&level=&since=&follow=]` | 200 `text/event-stream` of log records (see `AdminRoutes+Logs.swift`) |
/// | `GET /v1/status` | 200 ``AdminServerStatus`` |
/// | `GET /metrics` | 200 Prometheus text; 404 without a metrics backend |
///
/// Path segments are percent-decoded. Every error is `{"error": "…"}` with a 4xx/5xx status.
/// User names starting with `~~` are refused with 400. Passwords are never logged; a generated
/// one (``PasswordGenerator``) is returned once, in the answer that created it. On a loopback
/// address there is no authentication; any other address needs a bearer token
/// (``AdminOperations/bearerToken``), checked on every route. The full contract is
/// `docs/openapi.yaml`.
///
/// The composition root builds one and adds ``service`` to its `ServiceGroup`:
/// ```swift
/// let admin = try AdminServer(listen: "http://127.0.0.1:8080", credentials: store, locations: store,
///                             provisioning: store, domains: ["example.net"], logger: logger)
/// let group = ServiceGroup(services: [admin.service, …], logger: logger)
/// // with port 0: let port = try await admin.listeningPort()
/// ```
public final class AdminServer: Sendable {
    /// Where it listens, as configured (port 0 means ephemeral; see ``listeningPort()``).
    public let address: AdminListenAddress
    /// The handlers.
    public let routes: AdminRoutes
    /// The Hummingbird application (use ``service`` to run it; tests may call `test(.router)`).
    public let application: Application<RouterResponder<BasicRequestContext>>
    private let port: PortPromise

    /// - Parameters:
    ///   - listen: `http://HOST:PORT` (see ``AdminListenAddress``); any other scheme is refused.
    ///   - domains: the server's domains; the first is the default domain of requests naming none.
    ///   - clock: the wall clock (injected so tests control registrations' remaining `expires`;
    ///     default ``SystemClock``).
    ///   - operations: the log tap, metrics, status and bearer token (``AdminOperations``).
    /// - Throws: ``AdminAPIError/invalidListenURL(_:reason:)``, also for a listener beyond
    ///   loopback without a bearer token.
    public convenience init(
        listen: String, credentials: any CredentialStore, locations: any LocationStore,
        provisioning: any ProvisioningStore, domains: [String], limits: AdminAPILimits = AdminAPILimits(),
        clock: any SIPClock = SystemClock(), operations: AdminOperations = AdminOperations(), logger: Logger
    ) throws(AdminAPIError) {
        let address = try AdminListenAddress(parsing: listen)
        if !address.isLoopback && operations.bearerToken == nil {
            throw .invalidListenURL(
                listen,
                reason: "\(address.host) is not a loopback address: set admin.token (SWITCHBOARD_ADMIN_TOKEN) so requests need a bearer token")
        }
        self.init(
            address: address,
            routes: AdminRoutes(
                credentials: credentials, locations: locations, provisioning: provisioning, domains: domains,
                limits: limits, clock: clock, operations: operations, logger: logger),
            logger: logger)
    }

    public init(address: AdminListenAddress, routes: AdminRoutes, logger: Logger) {
        self.address = address
        self.routes = routes
        let port = PortPromise()
        self.port = port
        self.application = Application(
            router: routes.makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? address.port
                logger.info("admin API listening", metadata: ["event": "admin.listening", "address": "\(address.host)", "port": "\(bound)"])
                port.fulfil(bound)
            },
            logger: logger
        )
    }

    /// The `Service` to add to the server's `ServiceGroup`: runs the listener until graceful
    /// shutdown. If it fails (the port is taken), ``listeningPort()`` throws the same error.
    public var service: any Service { AdminService(application: application, port: port) }

    /// The port actually bound (the kernel's choice when port 0 was asked), once listening.
    public var boundPort: Int? { port.value }

    /// Waits until the listener is bound and returns its port; throws if the service failed or
    /// ended before binding.
    public func listeningPort() async throws -> Int {
        try await port.wait()
    }
}

/// Runs the application and reports a failure to bind to ``PortPromise`` waiters.
struct AdminService: Service {
    let application: Application<RouterResponder<BasicRequestContext>>
    let port: PortPromise

    func run() async throws {
        do {
            try await application.run()
            port.fail(AdminAPIError.request(status: 503, message: "the admin API stopped before it was listening"))
        } catch {
            port.fail(error)
            throw error
        }
    }
}

/// A value set once (the bound port) that any number of tasks can wait for.
final class PortPromise: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    var value: Int? {
        state.withLock { if case .bound(let port) = $0 { port } else { nil } }
    }

    func fulfil(_ port: Int) { settle(.success(port)) }

    /// Fails waiters, unless the port was already bound (a later failure is the service's to report).
    func fail(_ error: any Error) { settle(.failure(error)) }

    private func settle(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let port): state = .bound(port)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let settled: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}
