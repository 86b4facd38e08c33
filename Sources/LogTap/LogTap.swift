public import Logging
import Synchronization

/// Where `switchboard logs` reads from: every record the server logs at or above ``level`` is
/// kept in a bounded ring of recent records (for `--since`) and handed to each live subscriber
/// whose ``LogFilter`` it matches.
///
/// Publishing never waits for a reader. ``publish(_:)`` runs on the thread that logs (an event
/// loop, for SIP events): it takes one short lock, stores the record in the ring and, for each
/// subscriber that wants it, queues it in that subscriber's bounded queue. A reader that falls
/// behind loses the records that do not fit, and they are counted
/// (``LogSubscription/droppedCount``), so a slow or stalled `switchboard logs` costs the SIP path
/// a queue check, never a wait.
///
/// Fed by ``LogTapHandler`` (the composition root wraps every logger it makes); read by the
/// admin API's `GET /v1/logs`.
public final class LogTap: Sendable {
    /// Sizes and limits.
    public struct Configuration: Sendable, Hashable {
        /// Recent records kept for replay.
        public var recentRecords: Int
        /// Records queued per subscriber before further ones are dropped.
        public var subscriberQueue: Int
        /// Most live subscribers at once.
        public var maxSubscribers: Int

        public init(recentRecords: Int = 10_000, subscriberQueue: Int = 1_000, maxSubscribers: Int = 32) {
            self.recentRecords = max(1, recentRecords)
            self.subscriberQueue = max(1, subscriberQueue)
            self.maxSubscribers = max(0, maxSubscribers)
        }
    }

    /// Counts for the admin API's status.
    public struct Statistics: Sendable, Hashable, Codable {
        public var published: Int
        public var recent: Int
        public var subscribers: Int
        /// Records dropped, over all subscribers, because a reader fell behind.
        public var dropped: Int
    }

    private struct Subscriber {
        let filter: LogFilter
        let continuation: AsyncStream<LogSubscription.Item>.Continuation
        var dropped = 0
    }

    private struct State {
        var ring: LogRingBuffer
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var published = 0
        var dropped = 0
    }

    /// The least severe level fed to the tap (see ``LogTapHandler``).
    public let level: Logger.Level
    public let configuration: Configuration
    private let state: Mutex<State>

    public init(level: Logger.Level = .info, configuration: Configuration = Configuration()) {
        self.level = level
        self.configuration = configuration
        state = Mutex(State(ring: LogRingBuffer(capacity: configuration.recentRecords)))
    }

    /// Keeps `record` among the recent ones and queues it for each subscriber it matches,
    /// dropping (and counting) it for subscribers whose queue is full. Never blocks.
    public func publish(_ record: LogRecord) {
        state.withLock { state in
            state.published += 1
            state.ring.append(record)
            guard !state.subscribers.isEmpty else { return }
            for (id, subscriber) in state.subscribers where subscriber.filter.matches(record) {
                if case .dropped = subscriber.continuation.yield(.record(record)) {
                    state.subscribers[id]?.dropped += 1
                    state.dropped += 1
                }
            }
        }
    }

    /// The recent records `filter` replays (``LogFilter/matchesReplay(_:)``), oldest first.
    public func recent(_ filter: LogFilter) -> [LogRecord] {
        state.withLock { $0.ring.records(where: filter.matchesReplay) }
    }

    /// A live subscription: the recent records `filter` replays, then every later record it
    /// matches, with nothing lost or repeated between the two.
    /// - Throws: ``LogTapError/tooManySubscribers(_:)`` at ``Configuration/maxSubscribers``.
    public func subscribe(_ filter: LogFilter) throws(LogTapError) -> LogSubscription {
        let (stream, continuation) = AsyncStream<LogSubscription.Item>.makeStream(
            bufferingPolicy: .bufferingOldest(configuration.subscriberQueue))
        let subscribed: (id: Int, replay: [LogRecord])? = state.withLock { state in
            guard state.subscribers.count < configuration.maxSubscribers else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(filter: filter, continuation: continuation)
            return (id, state.ring.records(where: filter.matchesReplay))
        }
        guard let subscribed else {
            continuation.finish()
            throw .tooManySubscribers(configuration.maxSubscribers)
        }
        let id = subscribed.id
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return LogSubscription(
            replay: subscribed.replay, items: stream,
            droppedCount: { [weak self] in self?.state.withLock { $0.subscribers[id]?.dropped } ?? 0 },
            tick: { _ = continuation.yield(.tick) }, cancel: { continuation.finish() })
    }

    public var statistics: Statistics {
        state.withLock {
            Statistics(published: $0.published, recent: $0.ring.count, subscribers: $0.subscribers.count, dropped: $0.dropped)
        }
    }

    /// Ends every live subscription (their streams finish after what is queued).
    public func finishAll() {
        let continuations = state.withLock { state in state.subscribers.values.map(\.continuation) }
        for continuation in continuations { continuation.finish() }
    }

    private func unsubscribe(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
}

/// Why a subscription was refused.
public enum LogTapError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooManySubscribers(Int)

    public var description: String {
        switch self {
        case .tooManySubscribers(let limit): "too many log readers (at most \(limit) at once)"
        }
    }
}

/// One reader's view of a ``LogTap``: the replayed recent records, then the live ones.
/// Cancel it (or stop iterating ``items``) to unsubscribe.
public struct LogSubscription: Sendable {
    /// What the live sequence carries: a record, or a ``tick()`` the reader asked for (to check
    /// ``droppedCount`` or send a keep-alive while no record comes).
    public enum Item: Sendable {
        case record(LogRecord)
        case tick
    }

    /// The recent records the filter replays, oldest first.
    public let replay: [LogRecord]
    /// The live records, in order, as they are published, and ticks.
    public let items: AsyncStream<Item>
    private let dropped: @Sendable () -> Int
    private let tickAction: @Sendable () -> Void
    private let cancelAction: @Sendable () -> Void

    init(
        replay: [LogRecord], items: AsyncStream<Item>, droppedCount: @escaping @Sendable () -> Int,
        tick: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void
    ) {
        self.replay = replay
        self.items = items
        self.dropped = droppedCount
        self.tickAction = tick
        self.cancelAction = cancel
    }

    /// Live records dropped so far because this reader's queue was full.
    public var droppedCount: Int { dropped() }

    /// Queues a ``Item/tick`` behind the records already queued (dropped, uncounted, when the
    /// queue is full: the reader has records to read then).
    public func tick() { tickAction() }

    /// Ends the subscription: ``items`` finishes after what is queued.
    public func cancel() { cancelAction() }

    /// Only the live records.
    public var records: AsyncCompactMapSequence<AsyncStream<Item>, LogRecord> {
        items.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }
}
