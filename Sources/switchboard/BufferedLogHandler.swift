import Logging
import LogTap

/// The swift-log handler of `switchboard serve`: checks the level, formats the record into one
/// line on the calling thread (``LogLineFormat``) and hands it to a ``BackgroundLogWriter``,
/// which writes batches from its own thread. A record below `logLevel` costs a comparison and
/// builds nothing. `critical` records are flushed at once, in case the process is going down.
struct BufferedLogHandler: LogHandler {
    let label: String
    let format: LogLineFormat
    let writer: BackgroundLogWriter
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: LogLineFormat, level: Logger.Level, writer: BackgroundLogWriter) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.writer = writer
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= logLevel else { return }
        writer.append(
            format.line(
                level: event.level, label: label, message: event.message.description,
                metadata: mergedMetadata(event.metadata), time: .now()))
        if event.level == .critical { writer.flush() }
    }

    /// Handler metadata, then the provider's, then the record's (later wins); no copy when only
    /// one of them has entries.
    private func mergedMetadata(_ record: Logger.Metadata?) -> Logger.Metadata? {
        let provided = metadataProvider?.get() ?? [:]
        if metadata.isEmpty && provided.isEmpty { return record }
        var merged = metadata
        merged.merge(provided) { $1 }
        if let record { merged.merge(record) { $1 } }
        return merged
    }
}
