import Metrics
import SIPCore

/// The transaction layer's metrics. Labels are low-cardinality: side, a method from the
/// well-known set (anything else is `other`), timer letter, failure kind.
///
/// - `sip_transactions_total{side,method}`: transactions created.
/// - `sip_transactions_active{side}` (meter): transactions in the table.
/// - `sip_transaction_absorbed_total{method}`: retransmitted requests (and ACKs) matched to an
///   existing server transaction.
/// - `sip_transaction_retransmissions_total{timer}`: retransmissions sent on timers A, E, G.
/// - `sip_transaction_failures_total{side,reason}`: timeouts, transport errors, reaped.
/// - `sip_responses_sent_total{class}`: responses sent by server transactions (`2xx`, `4xx`, …;
///   retransmissions included). Requests received are `sip_transactions_total{side="server"}`
///   (new) plus `sip_transaction_absorbed_total` (retransmissions).
/// - `sip_transaction_unmatched_total{kind}`: stray responses, ACKs without a transaction,
///   requests whose Via/CSeq could not be read.
struct TransactionMetrics: Sendable {
    static let methods: [SIPMethod] = [
        .invite, .ack, .bye, .cancel, .options, .register, .subscribe, .notify, .publish, .message, .info, .prack,
        .update, .refer,
    ]

    private let created: [String: [SIPMethod: Counter]]
    private let createdOther: [String: Counter]
    private let absorbed: [SIPMethod: Counter]
    private let absorbedOther: Counter
    private let retransmissions: [SIPTransactionTimer: Counter]
    private let failures: [String: Counter]
    private let unmatched: [String: Counter]
    private let active: [String: Meter]
    /// Indexed by status class 1…6.
    private let responsesSent: [Counter]

    init(prefix: String = "sip") {
        var created: [String: [SIPMethod: Counter]] = [:]
        var createdOther: [String: Counter] = [:]
        var failures: [String: Counter] = [:]
        var active: [String: Meter] = [:]
        for side in ["server", "client"] {
            var bySide: [SIPMethod: Counter] = [:]
            for method in Self.methods {
                bySide[method] = Counter(label: "\(prefix)_transactions_total", dimensions: [("side", side), ("method", method.rawValue)])
            }
            created[side] = bySide
            createdOther[side] = Counter(label: "\(prefix)_transactions_total", dimensions: [("side", side), ("method", "other")])
            active[side] = Meter(label: "\(prefix)_transactions_active", dimensions: [("side", side)])
            for reason in ["timeout", "transport_error", "lifetime_exceeded"] {
                failures["\(side).\(reason)"] = Counter(
                    label: "\(prefix)_transaction_failures_total", dimensions: [("side", side), ("reason", reason)])
            }
        }
        self.created = created
        self.createdOther = createdOther
        self.failures = failures
        self.active = active
        var absorbed: [SIPMethod: Counter] = [:]
        for method in Self.methods {
            absorbed[method] = Counter(label: "\(prefix)_transaction_absorbed_total", dimensions: [("method", method.rawValue)])
        }
        self.absorbed = absorbed
        self.absorbedOther = Counter(label: "\(prefix)_transaction_absorbed_total", dimensions: [("method", "other")])
        var retransmissions: [SIPTransactionTimer: Counter] = [:]
        for timer in [SIPTransactionTimer.a, .e, .g] {
            retransmissions[timer] = Counter(
                label: "\(prefix)_transaction_retransmissions_total", dimensions: [("timer", timer.description)])
        }
        self.retransmissions = retransmissions
        var unmatched: [String: Counter] = [:]
        for kind in ["response", "ack", "malformed"] {
            unmatched[kind] = Counter(label: "\(prefix)_transaction_unmatched_total", dimensions: [("kind", kind)])
        }
        self.unmatched = unmatched
        responsesSent = (1...6).map { Counter(label: "\(prefix)_responses_sent_total", dimensions: [("class", "\($0)xx")]) }
    }

    /// A response a server transaction sent (retransmissions included).
    func responseSent(status: Int) {
        let index = status / 100 - 1
        if responsesSent.indices.contains(index) { responsesSent[index].increment() }
    }

    func transactionCreated(server: Bool, method: SIPMethod) {
        let side = server ? "server" : "client"
        (created[side]?[method] ?? createdOther[side])?.increment()
        active[side]?.increment()
    }

    func transactionRemoved(server: Bool) {
        active[server ? "server" : "client"]?.decrement()
    }

    func requestAbsorbed(method: SIPMethod) {
        (absorbed[method] ?? absorbedOther).increment()
    }

    func retransmitted(timer: SIPTransactionTimer) {
        retransmissions[timer]?.increment()
    }

    func failed(server: Bool, reason: SIPTransactionFailure) {
        let name =
            switch reason {
            case .timeout: "timeout"
            case .transportError: "transport_error"
            case .lifetimeExceeded: "lifetime_exceeded"
            }
        failures["\(server ? "server" : "client").\(name)"]?.increment()
    }

    func unmatched(_ kind: String) {
        unmatched[kind]?.increment()
    }
}
