public import SIPCore
import Synchronization

/// Which users have a line on which instrument, in memory: the lookup the registrar makes on the
/// event loop, without waiting for storage, under `auth.instrumentPolicy: provisioned`
/// (a REGISTER from `69/MAC` is accepted only when line 69 is provisioned on that MAC).
///
/// A ``ProvisioningStore`` owns one and updates it after each commit, so it never holds a line
/// the store has not committed.
public protocol ProvisionedLineLookup: Sendable {
    /// True when `user@domain` has a line appearance on `instrument`.
    func isProvisioned(user: String, domain: String, instrument: SIPInstrumentID) -> Bool
}

/// The in-memory ``ProvisionedLineLookup`` of a store: a set of (instrument, user, domain).
public final class ProvisionedLineIndex: ProvisionedLineLookup {
    private struct Key: Hashable {
        var instrument: SIPInstrumentID
        var user: UserKey
    }

    private let keys = Mutex<Set<Key>>([])

    public init(_ instruments: [ProvisionedInstrument] = []) {
        for instrument in instruments { replace(instrument.id, with: instrument) }
    }

    public func isProvisioned(user: String, domain: String, instrument: SIPInstrumentID) -> Bool {
        let key = Key(instrument: instrument, user: UserKey(user: user, domain: domain))
        return keys.withLock { $0.contains(key) }
    }

    /// Replaces the lines of `id` with those of `instrument` (none when nil: removed).
    public func replace(_ id: SIPInstrumentID, with instrument: ProvisionedInstrument?) {
        keys.withLock { keys in
            keys = keys.filter { $0.instrument != id }
            for line in instrument?.lines ?? [] {
                keys.insert(Key(instrument: id, user: UserKey(user: line.user, domain: line.domain)))
            }
        }
    }
}
