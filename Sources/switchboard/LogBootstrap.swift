import Logging
import SwitchboardServer

#if canImport(Glibc)
import Glibc
#endif

/// Picks the log backend: swift-log's text handler on stderr, or one JSON object per line.
enum LogBootstrap {
    static func bootstrap(_ configuration: LoggingConfiguration) {
        let level = Logger.Level(rawValue: configuration.level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                configuration.format == "json"
                ? JSONLineLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each log record as one JSON object on stderr:
/// `{"ts":…,"level":"info","label":"…","msg":"…","meta":{…}}`.
struct JSONLineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var line = "{\"ts\":\(time.tv_sec).\(String(time.tv_nsec / 1_000_000).leftPadded(3)),"
        line += "\"level\":\"\(event.level.rawValue)\",\"label\":\(Self.quote(label)),\"msg\":\(Self.quote(event.message.description))"
        if !merged.isEmpty {
            line += ",\"meta\":{"
            line += merged.sorted { $0.key < $1.key }.map { "\(Self.quote($0.key)):\(Self.quote($0.value.description))" }
                .joined(separator: ",")
            line += "}"
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(scalar.value, radix: 16).leftPadded(2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
