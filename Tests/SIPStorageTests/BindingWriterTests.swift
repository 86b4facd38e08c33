import SIPCore
import SIPStorage
import SIPTestSupport
import Synchronization
import Testing

/// A location store whose first `apply` waits until the test releases it, so the test can queue
/// submissions while a write is "in flight" — batching becomes deterministic, no timing involved.
final class GatedLocationStore: LocationStore {
    private struct State {
        var calls = 0
        var batches: [[BindingUpdate]] = []
        var gate: CheckedContinuation<Void, Never>?
        var failingCall: Int?
    }

    let inner = InMemoryLocationStore()
    private let state = Mutex(State())
    let firstApplyStarted: AsyncStream<Void>
    private let started: AsyncStream<Void>.Continuation

    init() { (firstApplyStarted, started) = AsyncStream.makeStream() }

    var changes: BindingChangeFeed { inner.changes }
    var batches: [[BindingUpdate]] { state.withLock { $0.batches } }

    /// Makes the `call`-th apply (1-based) throw.
    func fail(call: Int) { state.withLock { $0.failingCall = call } }

    func release() { state.withLock { $0.gate.take() }?.resume() }

    func apply(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?] {
        let (call, failing) = state.withLock { state in
            state.calls += 1
            return (state.calls, state.failingCall)
        }
        let isFirst = call == 1
        if isFirst {
            await withCheckedContinuation { continuation in
                state.withLock { $0.gate = continuation }
                started.yield()
            }
        }
        if call == failing { throw .backend("disk full") }
        let result = try await inner.apply(updates)
        state.withLock { $0.batches.append(updates) }
        return result
    }

    func unexpiredBindings(at now: SIPTimestamp) async throws(StorageError) -> [Binding] { try await inner.unexpiredBindings(at: now) }
    func bindings(aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding] { try await inner.bindings(aor: aor, at: now) }
    func bindings(instrument: SIPInstrumentID, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await inner.bindings(instrument: instrument, at: now)
    }
    func purgeExpired(at now: SIPTimestamp) async throws(StorageError) -> [Binding] { try await inner.purgeExpired(at: now) }
}

/// A counter shared by concurrent test tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Waits (yielding, never sleeping) until `condition` holds; fails the test after many rounds.
func waitUntil(_ condition: () -> Bool) async {
    for _ in 0..<1_000_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("condition never became true")
}

@Suite struct BindingWriterTests {
    @Test func queuedSubmissionsShareOneTransactionAndResumeAfterCommit() async throws {
        let store = GatedLocationStore()
        let writer = BindingWriter(store: store)
        let waiting = 40
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "first"))]) }
            for await _ in store.firstApplyStarted { break }
            let committedOnResume = Counter()
            for index in 0..<waiting {
                group.addTask {
                    let binding = makeBinding(user: "u\(index)", index: index)
                    let changes = try await writer.submit([.upsert(binding)])
                    #expect(changes == [BindingChange(kind: .added, binding: binding)])
                    // Resumed only after the batch is committed: the binding is already stored.
                    let stored = try await store.inner.bindings(aor: binding.aor, at: SIPTimestamp(secondsSince1970: 0))
                    if stored == [binding] { committedOnResume.increment() }
                }
            }
            await waitUntil { writer.pendingUpdateCount == waiting }
            store.release()
            // Wait for the submitters (not the run loop).
            await waitUntil { writer.statistics.submissions == waiting + 1 }
            writer.close()
            try await group.waitForAll()
            #expect(committedOnResume.value == waiting)
        }
        #expect(store.batches.map(\.count) == [1, waiting])
        let statistics = writer.statistics
        #expect(statistics.batches == 2)
        #expect(statistics.updates == waiting + 1)
        #expect(statistics.largestBatch == waiting)
    }

    @Test func batchesAreCappedAtMaxBatchSize() async throws {
        let store = GatedLocationStore()
        let writer = BindingWriter(store: store, configuration: .init(maxBatchSize: 10))
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "first"))]) }
            for await _ in store.firstApplyStarted { break }
            for index in 0..<25 {
                group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "u\(index)"))]) }
            }
            await waitUntil { writer.pendingUpdateCount == 25 }
            store.release()
            await waitUntil { writer.statistics.submissions == 26 }
            writer.close()
            try await group.waitForAll()
        }
        #expect(store.batches.map(\.count) == [1, 10, 10, 5])
    }

    @Test func failedBatchFailsEverySubmissionInIt() async throws {
        let store = GatedLocationStore()
        let writer = BindingWriter(store: store)
        let failures = Counter()
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "first"))]) }
            for await _ in store.firstApplyStarted { break }
            for index in 0..<5 {
                group.addTask {
                    do {
                        _ = try await writer.submit([.upsert(makeBinding(user: "u\(index)"))])
                    } catch {
                        #expect(error as? StorageError == .backend("disk full"))
                        failures.increment()
                    }
                }
            }
            await waitUntil { writer.pendingUpdateCount == 5 }
            store.fail(call: 2)  // the first (gated) batch succeeds; the queued one fails
            store.release()
            await waitUntil { writer.statistics.submissions == 6 }
            writer.close()
            try await group.waitForAll()
        }
        #expect(failures.value == 5)
        #expect(writer.statistics.failedBatches == 1)
        #expect(try await store.inner.unexpiredBindings(at: SIPTimestamp(secondsSince1970: 0)).map(\.aor) == ["sip:first@example.net"])
    }

    @Test func overloadIsRefusedAtOnce() async throws {
        let store = GatedLocationStore()
        let writer = BindingWriter(store: store, configuration: .init(maxPendingUpdates: 3))
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "first"))]) }
            for await _ in store.firstApplyStarted { break }
            group.addTask { _ = try await writer.submit((0..<3).map { .upsert(makeBinding(user: "q\($0)")) }) }
            await waitUntil { writer.pendingUpdateCount == 3 }
            await #expect(throws: StorageError.overloaded(limit: 3)) {
                try await writer.submit([.upsert(makeBinding(user: "extra"))])
            }
            store.release()
            await waitUntil { writer.statistics.submissions == 2 }
            writer.close()
            try await group.waitForAll()
        }
    }

    @Test func shutdownCommitsQueuedThenRefuses() async throws {
        let store = GatedLocationStore()
        let writer = BindingWriter(store: store)
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "first"))]) }
            for await _ in store.firstApplyStarted { break }
            group.addTask { _ = try await writer.submit([.upsert(makeBinding(user: "queued"))]) }
            await waitUntil { writer.pendingUpdateCount == 1 }
            writer.close()
            await #expect(throws: StorageError.shuttingDown) { try await writer.submit([.upsert(makeBinding(user: "late"))]) }
            store.release()
            try await group.waitForAll()
        }
        let stored = try await store.inner.unexpiredBindings(at: SIPTimestamp(secondsSince1970: 0)).map(\.aor)
        #expect(stored == ["sip:first@example.net", "sip:queued@example.net"])
    }

    @Test func emptySubmissionReturnsAtOnce() async throws {
        let writer = BindingWriter(store: InMemoryLocationStore())
        #expect(try await writer.submit([]).isEmpty)
    }
}
