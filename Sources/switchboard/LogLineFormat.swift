import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one log record becomes one line of bytes, on the logging thread (cheap: no locks, no
/// Foundation formatters, one array per line).
///
/// - `text`, for terminals: `2026-11-22T10:04:05.123Z info switchboard.registrar: register.ok
///   event=register.ok sip.aor=sip:69@example.net` (UTC time, metadata sorted by key).
/// - `json`, one object per line: `{"ts":1795860245.123,"level":"info","label":"…","msg":"…",
///   "meta":{"event":"register.ok",…}}` (seconds since 1970, metadata sorted by key).
enum LogLineFormat: String, Sendable {
    case text
    case json

    /// One line, newline included.
    func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata?, time: timespec) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + message.utf8.count + (metadata?.count ?? 0) * 40)
        switch self {
        case .text: Self.appendText(&out, level, label, message, metadata, time)
        case .json: Self.appendJSON(&out, level, label, message, metadata, time)
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The line reporting dropped lines, in this format.
    func droppedLinesReport(_ count: Int, label: String = "switchboard.log") -> [UInt8] {
        line(
            level: .warning, label: label, message: "log: dropped \(count) lines",
            metadata: ["dropped": .stringConvertible(count)], time: Self.now())
    }

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    private static func appendText(
        _ out: inout [UInt8], _ level: Logger.Level, _ label: String, _ message: String, _ metadata: Logger.Metadata?,
        _ time: timespec
    ) {
        appendISO8601(&out, time)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: level.rawValue.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: label.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: message.utf8)
        guard let metadata, !metadata.isEmpty else { return }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: value.description.utf8)
        }
    }

    private static func appendJSON(
        _ out: inout [UInt8], _ level: Logger.Level, _ label: String, _ message: String, _ metadata: Logger.Metadata?,
        _ time: timespec
    ) {
        out.append(contentsOf: "{\"ts\":".utf8)
        appendDecimal(&out, Int(time.tv_sec), width: 1)
        out.append(UInt8(ascii: "."))
        appendDecimal(&out, Int(time.tv_nsec) / 1_000_000, width: 3)
        out.append(contentsOf: ",\"level\":\"".utf8)
        out.append(contentsOf: level.rawValue.utf8)
        out.append(contentsOf: "\",\"label\":".utf8)
        appendJSONString(&out, label)
        out.append(contentsOf: ",\"msg\":".utf8)
        appendJSONString(&out, message)
        if let metadata, !metadata.isEmpty {
            out.append(contentsOf: ",\"meta\":{".utf8)
            var first = true
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendJSONString(&out, key)
                out.append(UInt8(ascii: ":"))
                appendJSONString(&out, value.description)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
    private static func appendISO8601(_ out: inout [UInt8], _ time: timespec) {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendDecimal(&out, Int(parts.tm_year) + 1900, width: 4)
        out.append(UInt8(ascii: "-"))
        appendDecimal(&out, Int(parts.tm_mon) + 1, width: 2)
        out.append(UInt8(ascii: "-"))
        appendDecimal(&out, Int(parts.tm_mday), width: 2)
        out.append(UInt8(ascii: "T"))
        appendDecimal(&out, Int(parts.tm_hour), width: 2)
        out.append(UInt8(ascii: ":"))
        appendDecimal(&out, Int(parts.tm_min), width: 2)
        out.append(UInt8(ascii: ":"))
        appendDecimal(&out, Int(parts.tm_sec), width: 2)
        out.append(UInt8(ascii: "."))
        appendDecimal(&out, Int(time.tv_nsec) / 1_000_000, width: 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// A non-negative integer, zero-padded to at least `width` digits.
    private static func appendDecimal(_ out: inout [UInt8], _ value: Int, width: Int) {
        let value = max(0, value)
        var divisor = 1
        var digits = 1
        while divisor <= value / 10 {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { out.append(UInt8(ascii: "0")) }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `text` as a JSON string literal (RFC 8259 §7): quotes, backslashes and control characters
    /// escaped; everything else, UTF-8 included, copied.
    static func appendJSONString(_ out: inout [UInt8], _ text: String) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
