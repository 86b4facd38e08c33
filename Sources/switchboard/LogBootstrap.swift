import LogTap
import Logging
import SwitchboardServer

/// Installs the log backend of `switchboard serve`: ``BufferedLogHandler`` for every logger, in
/// the configured format (`text` or `json`) and level, writing to stderr from one background
/// thread (``BackgroundLogWriter``).
enum LogBootstrap {
    /// Bootstraps swift-log (once per process) and starts the writer thread.
    /// - Returns: the writer; call ``BackgroundLogWriter/stop()`` before exiting so the last
    ///   lines are written.
    static func bootstrap(_ configuration: LoggingConfiguration) -> BackgroundLogWriter {
        let level = Logger.Level(rawValue: configuration.level) ?? .info
        let format = LogLineFormat(rawValue: configuration.format) ?? .text
        let writer = BackgroundLogWriter(dropReport: { format.droppedLinesReport($0) })
        writer.start()
        LoggingSystem.bootstrap { label in
            BufferedLogHandler(label: label, format: format, level: level, writer: writer)
        }
        return writer
    }

    /// The tap `switchboard logs` reads: it takes `info` and more severe records even when the
    /// log is kept at a quieter level, and everything the log takes when it is more verbose.
    static func tap(_ configuration: LoggingConfiguration) -> LogTap {
        let level = Logger.Level(rawValue: configuration.level) ?? .info
        return LogTap(level: min(level, .info))
    }
}
