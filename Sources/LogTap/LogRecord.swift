public import Logging

/// One log record as the tap keeps it: what a `LogHandler` was given, stamped with the time it
/// was logged. Building one costs no formatting: the metadata is kept as swift-log gave it and
/// turned into text only when a subscriber's line is written (``LogLineFormat/line(_:)``).
public struct LogRecord: Sendable {
    /// When it was logged (UTC).
    public var time: LogTimestamp
    public var level: Logger.Level
    /// The logger's label (`switchboard.registrar`).
    public var label: String
    /// The message; for a structured event, its outcome name (`register.ok`).
    public var message: String
    /// The handler's, the provider's and the call's metadata, merged (later wins).
    public var metadata: Logger.Metadata

    public init(time: LogTimestamp, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:]) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    /// A metadata value as text (`sip.instrument` → `0000DEADBEEF`), nil when absent.
    public subscript(key: String) -> String? {
        metadata[key].map { "\($0)" }
    }
}
