import SIPCore
import SIPEvents
import SIPTransaction
import SIPTransport
import Synchronization

/// ``SIPRequestSending`` over the transaction layer: each request in its own client
/// transaction (RFC 3261 §17.1). Bound to the layer after both exist (the layer's user, the
/// request chain, holds the notifier that sends through this).
final class TransactionRequestSender: SIPRequestSending {
    private let layer = Mutex<SIPTransactionLayer?>(nil)

    func bind(_ transactions: SIPTransactionLayer) { layer.withLock { $0 = transactions } }

    func send(_ request: SIPRequest, to destination: SIPDestination) async -> SIPResponse? {
        guard let transactions = layer.withLock({ $0 }) else { return nil }
        do { return try await transactions.sendRequest(request, to: destination) } catch { return nil }
    }

    func makeBranch() -> String { SIPTransactionLayer.makeBranch() }
}
