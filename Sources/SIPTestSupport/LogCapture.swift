public import Logging
import Synchronization

/// A swift-log backend that keeps every record in memory, so tests can check the structured
/// events a component logs (`register.ok`, `admin.user.added`, …) and that no secret is ever
/// logged. Hand ``logger`` to the component under test; it logs at every level.
public final class LogCapture: Sendable {
    /// One log call: its level, message and metadata (the logger's merged with the call's),
    /// values rendered as text.
    public struct Record: Sendable, CustomStringConvertible {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// The message and the metadata as `key=value`, keys sorted.
        public var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }

        /// The level, then ``text``.
        public var description: String { "\(level) \(text)" }
    }

    public let label: String
    private let store = Mutex<[Record]>([])

    public init(label: String = "test") {
        self.label = label
    }

    /// A logger writing into this capture, at level `trace`.
    public var logger: Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every record so far, oldest first.
    public var records: [Record] { store.withLock { $0 } }

    /// The records that carry an `event` metadata value (the structured events).
    public var events: [Record] { records.filter { $0.metadata["event"] != nil } }

    /// Every record, one a line (level, message, metadata): what to search for secrets.
    public var text: String { records.map(\.description).joined(separator: "\n") }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { $1 }
            let record = Record(
                level: event.level, message: event.message.description, metadata: all.mapValues { "\($0)" })
            capture.store.withLock { $0.append(record) }
        }
    }
}
