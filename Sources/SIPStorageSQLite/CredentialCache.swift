import SIPStorage
import Synchronization

/// Sealed (encrypted) passwords by (user, domain), mirrored from the `sip_user` table after each
/// commit, so that a digest check needs no database read. Holds no plain text.
final class CredentialCache: Sendable {
    private let sealed: Mutex<[UserKey: [UInt8]]>

    init(_ initial: [UserKey: [UInt8]]) { sealed = Mutex(initial) }

    subscript(key: UserKey) -> [UInt8]? { sealed.withLock { $0[key] } }

    func set(_ value: [UInt8]?, for key: UserKey) { sealed.withLock { $0[key] = value } }

    func set(_ rows: [(key: UserKey, sealed: [UInt8])]) {
        sealed.withLock { cache in
            for row in rows { cache[row.key] = row.sealed }
        }
    }
}
