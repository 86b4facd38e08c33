public import Hummingbird
import Foundation
public import Logging
public import SIPCore
public import SIPStorage
import LogTap

/// The handlers of the admin API, independent of any listener so tests can drive them through
/// a router alone. See ``AdminServer`` for the list of routes.
public struct AdminRoutes: Sendable {
    let credentials: any CredentialStore
    let locations: any LocationStore
    let provisioning: any ProvisioningStore
    let domains: [String]
    let limits: AdminAPILimits
    let clock: any SIPClock
    let logger: Logger
    let operations: AdminOperations
    /// When the routes were made (the server's start), wall clock and monotonic.
    let startedAt: SIPTimestamp
    let startedUptime: Duration

    var logTap: LogTap { operations.logTap }

    /// - Parameters:
    ///   - domains: the server's domains; the first is the default for requests that name none.
    ///   - clock: the wall clock; registrations' `expires` is computed against it (default
    ///     ``SystemClock``).
    public init(
        credentials: any CredentialStore, locations: any LocationStore, provisioning: any ProvisioningStore,
        domains: [String], limits: AdminAPILimits = AdminAPILimits(), clock: any SIPClock = SystemClock(),
        operations: AdminOperations = AdminOperations(), logger: Logger
    ) {
        self.operations = operations
        startedAt = clock.now()
        startedUptime = clock.uptime()
        self.credentials = credentials
        self.locations = locations
        self.provisioning = provisioning
        self.domains = domains.map(SIPUserCredential.canonicalDomain)
        self.limits = limits
        self.clock = clock
        self.logger = logger
    }

    /// A router holding every route, with errors rendered as `{"error": "…"}`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        add(to: router)
        return router
    }

    /// Adds the routes (and the JSON error middleware) to `router`.
    public func add(to router: Router<BasicRequestContext>) {
        router.add(middleware: AdminErrorMiddleware(logger: logger))
        if let token = operations.bearerToken { router.add(middleware: AdminBearerTokenMiddleware(token: token)) }
        router.get("/v1/health") { _, _ in try self.health() }
        router.get("/v1/users") { request, _ in try await self.listUsers(request) }
        router.post("/v1/users") { request, _ in try await self.addUser(request) }
        router.post("/v1/users/import") { request, _ in try await self.importUsers(request) }
        router.delete("/v1/users/{domain}/{user}") { _, context in try await self.removeUser(context.parameters) }
        router.put("/v1/users/{domain}/{user}/password") { request, context in
            try await self.setPassword(request, context.parameters)
        }
        router.get("/v1/registrations") { request, _ in try await self.registrations(request) }
        addInstrumentRoutes(to: router)
        addLogRoutes(to: router)
        addOperationsRoutes(to: router)
    }

    // MARK: - Handlers

    func health() throws -> Response {
        try AdminJSON.response(AdminHealth(domains: domains))
    }

    func listUsers(_ request: Request) async throws -> Response {
        let domain = try queryValue(request, "domain").map(checkedDomain)
        let records: [SIPUserRecord]
        do {
            records = try await credentials.users(domain: domain)
        } catch {
            throw AdminAPIError(error)
        }
        let users = records.map {
            AdminUser(
                user: $0.user, domain: $0.domain, aor: Binding.canonicalAOR(user: $0.user, domain: $0.domain),
                created: ISO8601Time.format($0.created))
        }
        return try AdminJSON.response(users)
    }

    func addUser(_ request: Request) async throws -> Response {
        let body = try AdminJSON.decode(AdminNewUser.self, from: try await collect(request, upTo: limits.maxJSONBodyBytes))
        let domain = try body.domain.map(checkedDomain) ?? defaultDomain()
        if let problem = Self.loginNameProblem(body.user) { throw AdminAPIError.badRequest(problem) }
        try checkUser(body.user, domain: domain)
        if !domains.isEmpty && !domains.contains(domain) && body.force != true {
            throw AdminAPIError.badRequest(
                "this server does not serve \(domain) (it serves \(domains.joined(separator: ", "))): such a user could not register; add it anyway with force (--force)")
        }
        let generated = body.password == nil
        let password = body.password ?? PasswordGenerator(length: limits.generatedPasswordLength).generate()
        let record: SIPUserRecord
        do {
            record = try await credentials.addUser(SIPUserCredential(user: body.user, domain: domain, password: password), now: clock.now())
        } catch {
            throw AdminAPIError(error)
        }
        logger.info(
            "user added", metadata: ["event": "admin.user.added", "user": "\(record.user)", "domain": "\(record.domain)", "passwordGenerated": "\(generated)"])
        let result = AdminCredentialResult(
            user: record.user, domain: record.domain, password: generated ? password : nil, passwordGenerated: generated)
        return try AdminJSON.response(result, status: .created)
    }

    func removeUser(_ parameters: Parameters) async throws -> Response {
        let (user, domain) = try userAndDomain(parameters)
        do {
            try await credentials.removeUser(user: user, domain: domain)
        } catch {
            throw AdminAPIError(error)
        }
        logger.info("user removed", metadata: ["event": "admin.user.removed", "user": "\(user)", "domain": "\(domain)"])
        return Response(status: .noContent)
    }

    func setPassword(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let (user, domain) = try userAndDomain(parameters)
        let body = try AdminJSON.decode(AdminPasswordChange.self, from: try await collect(request, upTo: limits.maxJSONBodyBytes))
        let generated = body.password == nil
        let password = body.password ?? PasswordGenerator(length: limits.generatedPasswordLength).generate()
        do {
            try await credentials.setPassword(user: user, domain: domain, password: password)
        } catch {
            throw AdminAPIError(error)
        }
        logger.info(
            "password changed", metadata: ["event": "admin.user.password", "user": "\(user)", "domain": "\(domain)", "passwordGenerated": "\(generated)"])
        let result = AdminCredentialResult(user: user, domain: domain, password: generated ? password : nil, passwordGenerated: generated)
        return try AdminJSON.response(result)
    }

    func importUsers(_ request: Request) async throws -> Response {
        let buffer = try await collect(request, upTo: limits.maxImportBytes)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw AdminAPIError.badRequest("import file is not valid UTF-8")
        }
        let entries: [UserImportEntry]
        do {
            entries = try UserImport.parse(text, maxEntries: limits.maxImportUsers)
        } catch {
            throw AdminAPIError.badRequest("import rejected, nothing written: \(error)", line: error.line)
        }
        let summary: UserImportSummary
        do {
            summary = try await credentials.importUsers(entries, now: clock.now())
        } catch {
            throw AdminAPIError(error)
        }
        logger.info(
            "users imported",
            metadata: ["event": "admin.user.import", "added": "\(summary.added)", "updated": "\(summary.updated)"])
        return try AdminJSON.response(AdminImportResult(imported: entries.count, added: summary.added, updated: summary.updated))
    }

    func registrations(_ request: Request) async throws -> Response {
        let aor = try queryValue(request, "aor").map { try canonicalAOR($0) }
        let instrument = try queryValue(request, "instrument").map { text throws(AdminAPIError) in
            if let problem = SIPInstrumentID.operatorInputProblem(text) { throw .badRequest("invalid instrument: \(problem)") }
            guard let id = SIPInstrumentID(text) else { throw .badRequest("invalid instrument '\(text)'") }
            return id
        }
        let at = clock.now()
        let bindings: [Binding]
        do {
            switch (aor, instrument) {
            case (let aor?, let instrument?): bindings = try await locations.bindings(instrument: instrument, aor: aor, at: at)
            case (let aor?, nil): bindings = try await locations.bindings(aor: aor, at: at)
            case (nil, let instrument?): bindings = try await locations.bindings(instrument: instrument, at: at)
            case (nil, nil): bindings = try await locations.unexpiredBindings(at: at)
            }
        } catch {
            throw AdminAPIError(error)
        }
        return try AdminJSON.response(bindings.map { AdminRegistration($0, now: at) })
    }

    // MARK: - Input

    /// A JSON body of at most ``AdminAPILimits/maxJSONBodyBytes``.
    func collectJSON(_ request: Request) async throws -> ByteBuffer {
        try await collect(request, upTo: limits.maxJSONBodyBytes)
    }

    private func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw AdminAPIError.request(status: 413, message: "request body larger than \(limit) bytes")
        }
    }

    /// A non-empty query parameter (percent-decoded by Hummingbird), or nil when absent or empty.
    /// The value of query parameter `name`; nil when absent, 400 when present but empty (an
    /// empty filter is a mistake, not a request for everything).
    func queryValue(_ request: Request, _ name: String) throws(AdminAPIError) -> String? {
        guard let value = request.uri.queryParameters[name[...]] else { return nil }
        guard !value.isEmpty else { throw .badRequest("\(name): empty value (leave the parameter out to not filter)") }
        return String(value)
    }

    func defaultDomain() throws(AdminAPIError) -> String {
        guard let domain = domains.first else {
            throw .badRequest("no domain given and the server has no default domain (serve --domain NAME)")
        }
        return domain
    }

    /// Lower-cases a domain; its syntax is checked with the user name (``checkUser(_:domain:)``).
    private func checkedDomain(_ domain: String) -> String {
        SIPUserCredential.canonicalDomain(domain)
    }

    /// A user named like a phone's login name (`76/0000DEADBEEF`): the `/MAC` part belongs to
    /// the instrument's line, not to the user. The message says so.
    static func loginNameProblem(_ user: String) -> String? {
        guard let slash = user.lastIndex(of: "/") else { return nil }
        let name = user[..<slash]
        let instrument = user[user.index(after: slash)...]
        guard !name.isEmpty, SIPInstrumentID(instrument) != nil else { return nil }
        return "'\(user)' is a phone's login name (user/MAC), not a user: create user '\(name)', then provision the phone with `switchboard instrument add \(instrument) --vendor V --line \(name)`; the phone then authenticates as \(user)"
    }

    /// Refuses reserved (`~~…`) and malformed user names before the store sees them.
    private func checkUser(_ user: String, domain: String) throws(AdminAPIError) {
        do {
            try SIPUserCredential.validate(user: user, domain: domain)
        } catch {
            throw AdminAPIError(error)
        }
    }

    private func userAndDomain(_ parameters: Parameters) throws(AdminAPIError) -> (user: String, domain: String) {
        guard let rawDomain = parameters.get("domain"), let rawUser = parameters.get("user"),
            let domain = rawDomain.removingPercentEncoding, let user = rawUser.removingPercentEncoding
        else { throw .badRequest("malformed user path, expected /v1/users/{domain}/{user}") }
        let canonical = checkedDomain(domain)
        try checkUser(user, domain: canonical)
        return (user, canonical)
    }

    /// `sip:69@example.net`, `69@example.net` or `69` (the default domain) → `sip:69@example.net`.
    func canonicalAOR(_ text: String) throws(AdminAPIError) -> String {
        let lower = text.lowercased()
        var uriText = text
        if !(lower.hasPrefix("sip:") || lower.hasPrefix("sips:") || lower.hasPrefix("tel:")) {
            uriText = text.contains("@") ? "sip:\(text)" : "sip:\(text)@\(try defaultDomain())"
        }
        do {
            return Binding.canonicalAOR(try SIPURI(parsing: uriText))
        } catch {
            throw .badRequest("invalid AOR '\(text)': \(error)")
        }
    }
}
