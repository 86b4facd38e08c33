public import LogTap

/// What the admin API serves about the running server itself, beyond users and registrations:
/// the log tap behind `GET /v1/logs`, the Prometheus text behind `GET /metrics`, the listeners
/// and counts behind `GET /v1/status`, and the bearer token that guards every route when the
/// listener is not on a loopback address. The composition root fills it in; every part has a
/// default so tests can serve the routes alone.
public struct AdminOperations: Sendable {
    /// The records `GET /v1/logs` streams.
    public var logTap: LogTap
    /// The metrics exposition (Prometheus text format 0.0.4); nil answers `GET /metrics` 404.
    public var metrics: (@Sendable () -> String)?
    /// Listeners and counts for `GET /v1/status`.
    public var status: @Sendable () async -> AdminStatusDetails
    /// When set, every request must carry `Authorization: Bearer TOKEN`.
    public var bearerToken: String?
    /// The server's version, for `GET /v1/status`.
    public var version: String

    public init(
        version: String = "unknown", logTap: LogTap = LogTap(), metrics: (@Sendable () -> String)? = nil,
        status: @escaping @Sendable () async -> AdminStatusDetails = { AdminStatusDetails() }, bearerToken: String? = nil
    ) {
        self.logTap = logTap
        self.metrics = metrics
        self.status = status
        self.bearerToken = bearerToken
        self.version = version
    }
}

/// The server-specific part of `GET /v1/status`.
public struct AdminStatusDetails: Sendable, Hashable, Codable {
    /// Every listener, e.g. `{"kind": "sip", "url": "udp://127.0.0.1:5060"}`.
    public var listeners: [AdminListenerStatus]
    /// Named counts: `registrations` (bindings), `aors`, `instruments`, `transactions`, …
    public var counts: [String: Int]

    public init(listeners: [AdminListenerStatus] = [], counts: [String: Int] = [:]) {
        self.listeners = listeners
        self.counts = counts
    }
}

/// One listener of the server.
public struct AdminListenerStatus: Sendable, Hashable, Codable {
    /// `sip`, `admin`, `provisioning`, `provisioning-device`.
    public var kind: String
    public var url: String

    public init(kind: String, url: String) {
        self.kind = kind
        self.url = url
    }
}

/// `GET /v1/status`: version, start time, uptime, listeners, counts, and the log tap's numbers.
public struct AdminServerStatus: Sendable, Hashable, Codable {
    public var status: String
    public var version: String
    public var domains: [String]
    /// When the admin API started, ISO 8601 UTC.
    public var startedAt: String
    public var uptimeSeconds: Int64
    public var listeners: [AdminListenerStatus]
    public var counts: [String: Int]
    public var logs: LogTap.Statistics

    public init(
        status: String = "ok", version: String, domains: [String], startedAt: String, uptimeSeconds: Int64,
        listeners: [AdminListenerStatus], counts: [String: Int], logs: LogTap.Statistics
    ) {
        self.status = status
        self.version = version
        self.domains = domains
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.listeners = listeners
        self.counts = counts
        self.logs = logs
    }
}
