public import SIPTransaction
import Synchronization

/// The INVITEs being forwarded, by server transaction, so that a CANCEL reaches their branches
/// (RFC 3261 §16.10). The ``CancelProcessor`` asks it through ``SIPCancelHandler``.
public final class ProxySessions: SIPCancelHandler {
    private let table = Mutex<[SIPServerTransactionHandle: ProxySession]>([:])

    public init() {}

    func insert(_ session: ProxySession, for transaction: SIPServerTransactionHandle) {
        table.withLock { $0[transaction] = session }
    }

    func remove(_ transaction: SIPServerTransactionHandle) {
        _ = table.withLock { $0.removeValue(forKey: transaction) }
    }

    /// The number of INVITEs being forwarded.
    public var count: Int { table.withLock { $0.count } }

    public func cancel(_ invite: SIPServerTransactionHandle) -> Bool {
        guard let session = table.withLock({ $0[invite] }) else { return false }
        session.cancel()
        return true
    }
}
