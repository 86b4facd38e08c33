public import CoreMetrics
import Metrics
public import Prometheus
import Synchronization

/// The metrics backend of `switchboard serve`: swift-metrics bootstrapped with swift-prometheus,
/// exposed as Prometheus text at `GET /metrics` on the admin listener.
///
/// What the parts record (labels are low-cardinality: never an AOR or a MAC):
/// - transport: `sip_transport_messages_received_total` / `_sent_total{transport,kind}`,
///   `sip_transport_connections_open{transport}` (gauge);
/// - transactions: `sip_requests_received_total{method}`, `sip_responses_sent_total{method,class}`,
///   `sip_transactions_total{side,method}`, `sip_transactions_active{side}`, retransmissions, failures;
/// - registrar: `sip_register_total{outcome}` (`register.ok`, `register.auth_failed`,
///   `register.lockout`, …): auth failures and lockouts are outcomes;
/// - store: `switchboard_store_commit_duration_seconds` (histogram, one sample per group commit);
/// - configuration service: `switchboard_config_fetches_total{vendor,status}`;
/// - notifier (RFC 6665): `sip_notify_total{package,outcome=sent|failed}`,
///   `sip_resync_total{vendor,outcome}` (`SIPEvents/EventMetrics.swift`);
/// - read at each scrape (hooks the composition root adds): `switchboard_registrations_active`
///   (bindings held), `switchboard_subscriptions_active` (the notifier's subscriptions),
///   `switchboard_log_records_dropped` (records `switchboard logs` readers lost),
///   `switchboard_log_readers`.
///
/// The proxy records `sip_proxy_forks_total` and `sip_proxy_branches_total{outcome}`
/// (`SIPProxy/ProxyMetrics.swift`) through swift-metrics the same way.
///
/// swift-metrics has one backend per process: ``bootstrap()`` installs it once (later calls
/// return the same instance). Metric objects made before it (`Counter(label:)` in a `static let`)
/// stay no-ops, so the executable bootstraps before it builds the server.
public final class SwitchboardMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let scrapeHooks = Mutex<[@Sendable (PrometheusCollectorRegistry) -> Void]>([])

    private static let shared = Mutex<SwitchboardMetrics?>(nil)

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Bootstraps swift-metrics with a Prometheus registry (once per process).
    public static func bootstrap() -> SwitchboardMetrics {
        shared.withLock { shared in
            if let shared { return shared }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let metrics = SwitchboardMetrics(registry: registry)
            shared = metrics
            return metrics
        }
    }

    /// Runs `update` before each exposition (gauges of values read at scrape time).
    public func onScrape(_ update: @escaping @Sendable (PrometheusCollectorRegistry) -> Void) {
        scrapeHooks.withLock { $0.append(update) }
    }

    /// The Prometheus text exposition format (0.0.4) of every metric.
    public func exposition() -> String {
        for hook in scrapeHooks.withLock({ $0 }) { hook(registry) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
