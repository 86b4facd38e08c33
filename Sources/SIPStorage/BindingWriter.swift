public import ServiceLifecycle
import Metrics
import Synchronization

/// Group commit for the location service: many concurrent registrations, one transaction per
/// batch.
///
/// A registrar hands each REGISTER's binding changes to ``submit(_:on:completion:)`` and answers
/// 200 only from the completion, i.e. after the batch holding them is committed (RFC 3261 §10.3
/// step 8 reports the stored bindings; we make "stored" mean durable). While one batch is being
/// written, new submissions queue up; when the write finishes, everything that queued (up to
/// ``Configuration/maxBatchSize`` updates) goes into the next single ``LocationStore/apply(_:)``
/// call. Under load the batch grows and the per-binding cost of a durable commit (fsync) shrinks;
/// with no load a submission is written at once, with no added delay.
///
/// After a commit the writer applies the committed changes to the in-memory
/// ``LocationService`` first, then runs the completions: each submission names the
/// ``CompletionExecutor`` it resumes on (the event loop that received the REGISTER), and the
/// completions of one batch are handed to each executor in one call, in submission order — one
/// wake-up per batch and event loop, not one per registration.
///
/// It is a swift-service-lifecycle `Service`: ``run()`` is the commit loop and must be running
/// (in the server's `ServiceGroup`, or a task in tests) for submissions to complete. On graceful
/// shutdown it stops accepting (``StorageError/shuttingDown``), commits what is queued, then
/// returns. If the batch's transaction fails, every submission in it gets the error and none of
/// them was written.
public final class BindingWriter: Service, Sendable {
    /// Limits of the writer.
    public struct Configuration: Sendable, Hashable {
        /// Most updates written in one transaction (default 2,000). A single submission larger
        /// than this is still written whole, alone.
        public var maxBatchSize: Int
        /// Most updates queued while waiting (default 50,000); beyond it ``submit(_:)`` throws
        /// ``StorageError/overloaded(limit:)`` at once, so the registrar can answer 503.
        public var maxPendingUpdates: Int

        public init(maxBatchSize: Int = 2_000, maxPendingUpdates: Int = 50_000) {
            self.maxBatchSize = max(1, maxBatchSize)
            self.maxPendingUpdates = max(1, maxPendingUpdates)
        }
    }

    /// Counters since start, for metrics and for measuring batch sizes.
    public struct Statistics: Sendable, Hashable {
        /// Transactions committed (successfully or not).
        public var batches = 0
        /// Submissions completed.
        public var submissions = 0
        /// Updates written.
        public var updates = 0
        /// Largest batch, in updates.
        public var largestBatch = 0
        /// Batches whose transaction failed.
        public var failedBatches = 0
    }

    /// The result a submission completes with: one change per update, or the error.
    public typealias Outcome = Result<[BindingChange?], StorageError>

    private struct Waiter {
        var updates: [BindingUpdate]
        var executor: CompletionExecutor
        var completion: @Sendable (Outcome) -> Void
    }

    private struct State {
        var pending: [Waiter] = []
        var pendingUpdates = 0
        /// True from the wake-up a submission sent until the commit loop found the queue empty:
        /// while it is set, submissions only queue (the loop will see them), so the loop is
        /// woken once per idle period, not once per submission.
        var awake = false
        var closed = false
        var statistics = Statistics()
    }

    public let store: any LocationStore
    /// The in-memory index the committed changes are applied to before completions run; nil
    /// when the caller keeps no index (tests of the store alone).
    public let location: LocationService?
    public let configuration: Configuration
    private let state = Mutex(State())
    /// Updates queued or being written: the commit backlog, readable without the lock.
    private let backlogCount = Atomic<Int>(0)
    /// `switchboard_store_commit_duration_seconds` (histogram): how long each group commit took.
    private let commitLatency = Metrics.Timer(label: "switchboard_store_commit_duration_seconds")
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    public init(store: any LocationStore, location: LocationService? = nil, configuration: Configuration = Configuration()) {
        self.store = store
        self.location = location
        self.configuration = configuration
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `updates` for the next batch; `completion` runs on `executor` once that batch is
    /// committed (and applied to ``location``), with one result per update as
    /// ``LocationStore/apply(_:)`` returns them, or with the error. The updates of one
    /// submission are applied in order, together, in one transaction. Never blocks and never
    /// suspends: a refused submission (shutting down, overloaded) completes on `executor` too.
    public func submit(
        _ updates: [BindingUpdate], on executor: CompletionExecutor,
        completion: @escaping @Sendable (Outcome) -> Void
    ) {
        if updates.isEmpty {
            executor.execute { completion(.success([])) }
            return
        }
        enum Queued { case refused(StorageError), queued(wake: Bool) }
        let queued: Queued = state.withLock { state in
            if state.closed { return .refused(.shuttingDown) }
            if state.pendingUpdates + updates.count > configuration.maxPendingUpdates, state.pendingUpdates > 0 {
                return .refused(.overloaded(limit: configuration.maxPendingUpdates))
            }
            state.pending.append(Waiter(updates: updates, executor: executor, completion: completion))
            state.pendingUpdates += updates.count
            backlogCount.add(updates.count, ordering: .relaxed)
            defer { state.awake = true }
            return .queued(wake: !state.awake)
        }
        switch queued {
        case .refused(let error): executor.execute { completion(.failure(error)) }
        case .queued(let wake): if wake { wakeup.yield() }
        }
    }

    /// Queues `updates` for the next batch and returns once that batch is committed (see
    /// ``submit(_:on:completion:)``). Cancelling the calling task does not withdraw a
    /// submission: it may already be committed.
    public func submit(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?] {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            submit(updates, on: .immediate) { continuation.resume(returning: $0) }
        }
        return try outcome.get()
    }

    /// The commit loop. Returns after graceful shutdown (or cancellation) once the queue is empty.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                for await _ in wakeups {
                    await drain()
                }
                await drain()
            } onCancel: {
                self.close()
            }
        } onGracefulShutdown: {
            self.close()
        }
    }

    /// Stops accepting submissions; ``run()`` commits what is queued and returns.
    public func close() {
        state.withLock { $0.closed = true }
        wakeup.finish()
    }

    /// Updates queued and not yet being written.
    public var pendingUpdateCount: Int { state.withLock { $0.pendingUpdates } }

    /// Updates queued or being written (one atomic load: cheap enough to consult per request,
    /// for overload control).
    public var backlog: Int { backlogCount.load(ordering: .relaxed) }

    /// Counters since start.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    private func drain() async {
        while let batch = takeBatch() {
            await commit(batch)
        }
    }

    private func takeBatch() -> [Waiter]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.awake = false
                return nil
            }
            var count = 0
            var taken = 0
            for waiter in state.pending {
                if taken > 0, count + waiter.updates.count > configuration.maxBatchSize { break }
                count += waiter.updates.count
                taken += 1
            }
            let batch = Array(state.pending.prefix(taken))
            state.pending.removeFirst(taken)
            state.pendingUpdates -= count
            return batch
        }
    }

    private func commit(_ batch: [Waiter]) async {
        let updates = batch.count == 1 ? batch[0].updates : batch.flatMap(\.updates)
        let outcome: Outcome
        let started = ContinuousClock.now
        defer { commitLatency.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started)) }
        do {
            let changes = try await store.apply(updates)
            outcome = changes.count == updates.count
                ? .success(changes)
                : .failure(.backend("store returned \(changes.count) results for \(updates.count) updates"))
        } catch {
            outcome = .failure(error)
        }
        state.withLock { state in
            state.statistics.batches += 1
            state.statistics.submissions += batch.count
            state.statistics.largestBatch = max(state.statistics.largestBatch, updates.count)
            if case .success = outcome { state.statistics.updates += updates.count } else { state.statistics.failedBatches += 1 }
        }
        backlogCount.subtract(updates.count, ordering: .relaxed)
        if case .success(let changes) = outcome, let location {
            location.apply(changes.lazy.compactMap { $0 })
        }
        // One hand-off per executor (event loop) for the whole batch, in submission order.
        var groups: [(executor: CompletionExecutor, work: [@Sendable () -> Void])] = []
        var offset = 0
        for waiter in batch {
            let result: Outcome
            switch outcome {
            case .success(let changes):
                result = .success(Array(changes[offset..<(offset + waiter.updates.count)]))
                offset += waiter.updates.count
            case .failure(let error):
                result = .failure(error)
            }
            let completion = waiter.completion
            let work: @Sendable () -> Void = { completion(result) }
            if let index = groups.firstIndex(where: { $0.executor.id == waiter.executor.id }) {
                groups[index].work.append(work)
            } else {
                groups.append((waiter.executor, [work]))
            }
        }
        for group in groups {
            let work = group.work
            group.executor.execute { for item in work { item() } }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}
