// TEMPORARY measurement, deleted after use (not a unit test).
import Foundation
import SIPCore
import SIPStorage
import SIPStorageSQLite
import Testing

@Suite(.enabled(if: ProcessInfo.processInfo.environment["SB_MEASURE"] != nil), .serialized) struct _Measure {
    func measureWriter(sync: SQLiteStore.Configuration.Synchronous, writers: Int, perWriter: Int) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory, synchronous: sync))
        let writer = BindingWriter(store: store)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            try await withThrowingTaskGroup { registrars in
                for w in 0..<writers {
                    registrars.addTask {
                        for i in 0..<perWriter {
                            _ = try await writer.submit([.upsert(makeBinding(user: "\(w)-\(i)", index: i))])
                        }
                    }
                }
                try await registrars.waitForAll()
            }
            writer.close()
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = writers * perWriter
        let s = writer.statistics
        print("MEASURE sync=\(sync.rawValue) writers=\(writers) bindings=\(total) time=\(String(format: "%.3f", seconds))s rate=\(Int(Double(total) / seconds))/s batches=\(s.batches) avgBatch=\(String(format: "%.1f", Double(s.updates) / Double(s.batches))) largest=\(s.largestBatch)")
        try store.close()
    }

    @Test func writerThroughput() async throws {
        try await measureWriter(sync: .full, writers: 1, perWriter: 1000)
        try await measureWriter(sync: .full, writers: 50, perWriter: 200)
        try await measureWriter(sync: .full, writers: 500, perWriter: 40)
        try await measureWriter(sync: .full, writers: 2000, perWriter: 10)
        try await measureWriter(sync: .normal, writers: 1, perWriter: 1000)
        try await measureWriter(sync: .normal, writers: 500, perWriter: 40)
    }

    @Test func importAndLookup() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
        var lines = ["SEQUENTIAL"]
        for user in 0..<50_000 { lines.append("\(100_000 + user);example.net;pw\(user);[authentication username=\(user)]") }
        let text = lines.joined(separator: "\n")
        var start = ContinuousClock.now
        let entries = try UserImport.parse(text)
        let parse = ContinuousClock.now - start
        start = ContinuousClock.now
        _ = try await store.importUsers(entries, now: t0)
        let importTime = ContinuousClock.now - start
        start = ContinuousClock.now
        for i in 0..<20_000 { _ = try await store.password(user: "\(100_000 + i)", domain: "example.net") }
        let lookup = ContinuousClock.now - start
        print("MEASURE import 50000: parse=\(parse) store=\(importTime); 20000 cached lookups=\(lookup)")
        try store.close()
        let uncached = try SQLiteStore(configuration: .init(dataDirectory: directory, cachesCredentials: false))
        start = ContinuousClock.now
        for i in 0..<20_000 { _ = try await uncached.password(user: "\(100_000 + i)", domain: "example.net") }
        print("MEASURE 20000 uncached lookups=\(ContinuousClock.now - start)")
        try uncached.close()
    }
}
