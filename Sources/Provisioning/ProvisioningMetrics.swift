import Metrics

/// The configuration service's metrics (swift-metrics; labels are low-cardinality: never a
/// MAC):
/// - `switchboard_config_fetches_total{vendor,status}`: answers by the phone's vendor (`none`
///   when no vendor was known: unknown MACs, refusals before the file was identified) and HTTP
///   status code.
enum ProvisioningMetrics {
    static func fetched(vendor: String, status: Int) {
        Counter(label: "switchboard_config_fetches_total", dimensions: [("vendor", vendor), ("status", String(status))])
            .increment()
    }
}
