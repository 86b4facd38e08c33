import Foundation
import SIPCore
import SIPStorage
import SIPStorageSQLite
import Synchronization

/// The backends the shared behavioural suite runs against: the reference in-memory stores and
/// the SQLite store (a fresh data dir per test).
enum Backend: String, CaseIterable, Sendable {
    case memory
    case sqlite


    /// A fresh store pair; call `cleanup` when done.
    func make() throws -> Stores {
        switch self {
        case .memory:
            return Stores(
                credentials: InMemoryCredentialStore(), location: InMemoryLocationStore(),
                provisioning: InMemoryProvisioningStore(), sqlite: nil, directory: nil)
        case .sqlite:
            let directory = try makeTemporaryDirectory()
            let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
            return Stores(credentials: store, location: store, provisioning: store, sqlite: store, directory: directory)
        }
    }
}


struct Stores: Sendable {
    let credentials: any CredentialStore
    let location: any LocationStore
    let provisioning: any ProvisioningStore
    let sqlite: SQLiteStore?
    let directory: String?

    func cleanup() {
        try? sqlite?.close()
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-sqlite-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let t0 = SIPTimestamp(secondsSince1970: 1_000)

/// A counter shared by concurrent test tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
