public import Logging

/// A `LogHandler` that wraps the process's handler (the one that writes lines) and also
/// publishes each record to a ``LogTap``. Its level is the lower of the two: a record goes to
/// the wrapped handler when it reaches that handler's level, and to the tap when it reaches
/// ``LogTap/level``, so `switchboard logs` sees `info` events while the log file is kept at
/// `notice`. Metadata set on this handler is handed to both.
public struct LogTapHandler: LogHandler {
    public var base: any LogHandler
    public let label: String
    public let tap: LogTap
    /// The wall clock of the records' time stamps.
    public let now: @Sendable () -> LogTimestamp

    public init(label: String, base: any LogHandler, tap: LogTap, now: @escaping @Sendable () -> LogTimestamp = LogTimestamp.now) {
        self.label = label
        self.base = base
        self.tap = tap
        self.now = now
    }

    /// The lower of the wrapped handler's level and the tap's; setting it sets the wrapped
    /// handler's.
    public var logLevel: Logger.Level {
        get { min(base.logLevel, tap.level) }
        set { base.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        if event.level >= base.logLevel { base.log(event: event) }
        guard event.level >= tap.level else { return }
        var merged = base.metadata
        if let provided = base.metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let record = event.metadata {
            if merged.isEmpty { merged = record } else { merged.merge(record) { $1 } }
        }
        tap.publish(
            LogRecord(time: now(), level: event.level, label: label, message: event.message.description, metadata: merged))
    }
}
