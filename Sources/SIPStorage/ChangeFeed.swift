import Synchronization

/// Broadcasts committed changes to any number of subscribers: binding changes
/// (``BindingChangeFeed``: reg-event notifier, location index of another component, admin
/// `registrations --follow`) and provisioning changes (``ProvisioningChangeFeed``: the
/// http-monitor notifier of RFC 5989 / RFC 6011 §2.5.1).
///
/// - Changes are published by the store only after they are committed, in commit order.
/// - Each subscriber has its own bounded buffer. Publishing never waits: a subscriber that falls
///   more than `bufferSize` changes behind is ended with ``ChangeFeedError/overflow(bufferSize:)``
///   after it has consumed the changes buffered so far; it should then subscribe again and
///   reload its state (``LocationStore/unexpiredBindings(at:)``,
///   ``ProvisioningStore/instruments()``). A slow consumer therefore never slows registrations
///   or provisioning down, and never silently misses a change.
/// - A subscriber sees only changes published after ``subscribe(bufferSize:)`` returned. To build
///   a consistent view, subscribe first, then load the snapshot, then apply changes (a change
///   may then be seen twice; applying changes by their key is idempotent).
public final class ChangeFeed<Change: Sendable>: Sendable {
    /// Default per-subscriber buffer: 10,000 changes.
    public static var defaultBufferSize: Int { 10_000 }

    private struct State {
        var nextID = 0
        var subscribers: [Int: (continuation: AsyncThrowingStream<Change, any Error>.Continuation, size: Int)] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    public init() {}

    /// The number of live subscriptions.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Starts a subscription. Iterate it from one task; drop it (or cancel the iterating task)
    /// to unsubscribe.
    public func subscribe(bufferSize: Int = ChangeFeed.defaultBufferSize) -> ChangeSubscription<Change> {
        let size = max(1, bufferSize)
        let (stream, continuation) = AsyncThrowingStream<Change, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(size))
        let registered: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = (continuation, size)
            return id
        }
        if let id = registered {
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return ChangeSubscription(stream: stream)
    }

    /// Delivers `changes`, in order, to every subscriber. Called by stores after commit.
    public func publish(_ changes: some Sequence<Change>) {
        // Overflowed subscribers are finished outside the lock: finishing runs their
        // onTermination handler, which takes the lock again.
        let overflowed = state.withLock { state in
            var overflowed: [(AsyncThrowingStream<Change, any Error>.Continuation, Int)] = []
            for change in changes {
                for (id, subscriber) in state.subscribers {
                    switch subscriber.continuation.yield(change) {
                    case .enqueued: break
                    case .dropped:
                        state.subscribers.removeValue(forKey: id)
                        overflowed.append((subscriber.continuation, subscriber.size))
                    case .terminated:
                        state.subscribers.removeValue(forKey: id)
                    @unknown default: break
                    }
                }
            }
            return overflowed
        }
        for (continuation, size) in overflowed {
            continuation.finish(throwing: ChangeFeedError.overflow(bufferSize: size))
        }
    }

    /// Ends every subscription normally (their iteration returns nil after the buffered changes)
    /// and refuses new ones. Called when the store closes.
    public func finish() {
        let continuations = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }
}

/// The feed of committed binding changes.
public typealias BindingChangeFeed = ChangeFeed<BindingChange>
/// One subscriber's view of the binding change feed.
public typealias BindingChangeSubscription = ChangeSubscription<BindingChange>
/// Why a binding change-feed subscription ended early.
public typealias BindingFeedError = ChangeFeedError

/// Why a change-feed subscription ended early.
public enum ChangeFeedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The subscriber fell behind by more than its buffer; changes after the buffered ones were
    /// not delivered. Resubscribe and reload.
    case overflow(bufferSize: Int)

    public var description: String { "change feed subscriber fell behind and was dropped; resubscribe and reload" }
}

/// One subscriber's view of a ``ChangeFeed``: an `AsyncSequence` of its changes that throws
/// ``ChangeFeedError/overflow(bufferSize:)`` when the subscriber fell behind.
public struct ChangeSubscription<Change: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Change
    public typealias Failure = any Error

    let stream: AsyncThrowingStream<Change, any Error>

    public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = Change
        public typealias Failure = any Error
        var base: AsyncThrowingStream<Change, any Error>.AsyncIterator

        public mutating func next() async throws -> Change? { try await base.next() }
    }
}
