import Metrics

/// What the notifier and the resync sender count (swift-metrics; the server exposes them as
/// Prometheus text at `GET /metrics`). Labels are the package or vendor and the outcome, never
/// an AOR, a MAC or a resource.
///
/// - `sip_notify_total{package,outcome}`: every NOTIFY of a subscription (RFC 6665 §4.2.2),
///   `sent` when answered 2xx, `failed` when answered ≥ 300 or not at all (Timer F, transport
///   error, no route to the subscriber);
/// - `sip_resync_total{vendor,outcome}`: every vendor resync NOTIFY (``ResyncNotifier``),
///   counted once per flow after any digest challenge was answered, `sent` or `failed` alike.
///
/// The gauge `switchboard_subscriptions_active` is read at each scrape from
/// ``Notifier/activeCount`` by the composition root.
enum EventMetrics {
    /// `sent` for a final 2xx, `failed` for anything else (nil: no final response).
    static func outcome(status: Int?) -> String {
        guard let status, (200..<300).contains(status) else { return "failed" }
        return "sent"
    }

    static func notify(package: String, status: Int?) {
        Counter(label: "sip_notify_total", dimensions: [("package", package.lowercased()), ("outcome", outcome(status: status))])
            .increment()
    }

    static func resync(vendor: String, status: Int?) {
        Counter(label: "sip_resync_total", dimensions: [("vendor", vendor.lowercased()), ("outcome", outcome(status: status))])
            .increment()
    }
}
