import Metrics

/// The proxy's counters (swift-metrics; Prometheus text at `GET /metrics`):
/// `sip_proxy_forks_total` — requests forwarded to more than one branch (RFC 3261 §16.6);
/// `sip_proxy_branches_total{outcome}` — client branches by how they ended: the final
/// response's class (`2xx` … `6xx`; a cancelled branch ends `4xx` with its 487), `timeout`, or
/// `transport_error`. No AOR or MAC label.
///
/// Made with the forwarding processor, when the server is built (after the executable has
/// bootstrapped the metrics backend: counters made before it would stay no-ops).
final class ProxyMetrics: Sendable {
    let forks = Counter(label: "sip_proxy_forks_total")
    /// Index 0…4: final classes 2xx…6xx; 5: timeout; 6: transport error.
    private let branches: [Counter] = ["2xx", "3xx", "4xx", "5xx", "6xx", "timeout", "transport_error"].map {
        Counter(label: "sip_proxy_branches_total", dimensions: [("outcome", $0)])
    }

    /// A request is forwarded to `branches` targets.
    func forwarded(branches: Int) {
        if branches > 1 { forks.increment() }
    }

    /// A branch ended with a final response of `status`.
    func branchEnded(status: Int) {
        branches[min(6, max(2, status / 100)) - 2].increment()
    }

    /// A branch ended without a final response.
    func branchTimedOut() { branches[5].increment() }
    func branchFailed() { branches[6].increment() }
}
