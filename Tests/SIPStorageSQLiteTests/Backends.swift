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
            return Stores(credentials: InMemoryCredentialStore(), location: InMemoryLocationStore(), sqlite: nil, directory: nil)
        case .sqlite:
            let directory = try makeTemporaryDirectory()
            let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
            return Stores(credentials: store, location: store, sqlite: store, directory: directory)
        }
    }
}


struct Stores: Sendable {
    let credentials: any CredentialStore
    let location: any LocationStore
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

/// A binding with realistic fields; `index` varies the contact and Call-ID.
func makeBinding(
    user: String = "69", domain: String = "example.net", index: Int = 0, expiresAt: Int64 = 100_000,
    instrument: String? = "0000DEADBEEF", instance: String? = nil, regID: Int? = nil, q: Int = 1000,
    connectionID: UInt64? = nil
) -> Binding {
    Binding(
        aor: Binding.canonicalAOR(user: user, domain: domain),
        contact: "sip:\(user)@192.0.2.\(index % 250 + 1):\(5060 + index);transport=tcp",
        expiresAt: SIPTimestamp(secondsSince1970: expiresAt), q: q, callID: "call-\(user)-\(index)", cseq: UInt32(index + 1),
        instrument: instrument.flatMap { SIPInstrumentID($0) }, instance: instance, regID: regID,
        path: ["<sip:edge.example.net;lr>"], source: "192.0.2.\(index % 250 + 1):\(5060 + index)", transport: "tcp",
        connectionID: connectionID, localListener: "0.0.0.0:5060", userAgent: "TestPhone/1.0",
        registeredAt: t0, updatedAt: t0)
}

/// A counter shared by concurrent test tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
