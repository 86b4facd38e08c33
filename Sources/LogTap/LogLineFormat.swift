import Foundation
public import Logging
public import SIPCore

/// How one log record becomes one line of bytes, on the logging thread (cheap: no locks, no
/// Foundation formatters, one array per line).
///
/// - `text`, for terminals: `2026-11-22T10:04:05.123Z info switchboard.registrar: register.ok
///   event=register.ok sip.aor=sip:69@example.net` (UTC time, metadata sorted by key).
/// - `json`, one object per line: `{"ts":1795860245.123,"level":"info","label":"…","msg":"…",
///   "meta":{"event":"register.ok",…}}` (seconds since 1970, metadata sorted by key).
public enum LogLineFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// One line, newline included.
    public func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata?, time: LogTimestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + message.utf8.count + (metadata?.count ?? 0) * 40)
        switch self {
        case .text: Self.appendText(&out, level, label, message, metadata, time)
        case .json: Self.appendJSON(&out, level, label, message, metadata, time)
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// One record as one line, newline included.
    public func line(_ record: LogRecord) -> [UInt8] {
        line(level: record.level, label: record.label, message: record.message, metadata: record.metadata, time: record.time)
    }

    /// The line reporting dropped lines, in this format.
    public func droppedLinesReport(_ count: Int, label: String = "switchboard.log") -> [UInt8] {
        line(
            level: .warning, label: label, message: "log: dropped \(count) lines",
            metadata: ["dropped": .stringConvertible(count)], time: .now())
    }

    private static func appendText(
        _ out: inout [UInt8], _ level: Logger.Level, _ label: String, _ message: String, _ metadata: Logger.Metadata?,
        _ time: LogTimestamp
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
        _ time: LogTimestamp
    ) {
        out.append(contentsOf: "{\"ts\":".utf8)
        appendDecimal(&out, time.seconds, width: 1)
        out.append(UInt8(ascii: "."))
        appendDecimal(&out, time.milliseconds, width: 3)
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

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, proleptic Gregorian calendar; no libc, no locale).
    private static func appendISO8601(_ out: inout [UInt8], _ time: LogTimestamp) {
        let days = time.seconds >= 0 ? time.seconds / 86_400 : (time.seconds - 86_399) / 86_400
        let secondOfDay = time.seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        appendDecimal(&out, year, width: 4)
        out.append(UInt8(ascii: "-"))
        appendDecimal(&out, month, width: 2)
        out.append(UInt8(ascii: "-"))
        appendDecimal(&out, day, width: 2)
        out.append(UInt8(ascii: "T"))
        appendDecimal(&out, secondOfDay / 3_600, width: 2)
        out.append(UInt8(ascii: ":"))
        appendDecimal(&out, secondOfDay / 60 % 60, width: 2)
        out.append(UInt8(ascii: ":"))
        appendDecimal(&out, secondOfDay % 60, width: 2)
        out.append(UInt8(ascii: "."))
        appendDecimal(&out, time.milliseconds, width: 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// Year, month (1-12) and day (1-31) of a day count since 1970-01-01 (H. Hinnant's
    /// `civil_from_days`).
    public static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
    public static func appendJSONString(_ out: inout [UInt8], _ text: String) {
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

/// Wall-clock time of a log record: whole seconds since 1970 (UTC) and milliseconds.
public struct LogTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int
    public var milliseconds: Int

    public init(seconds: Int, milliseconds: Int) {
        self.seconds = seconds
        self.milliseconds = milliseconds
    }

    /// The same instant as a ``SIPTimestamp`` (an injected ``SIPClock``'s reading).
    public init(_ timestamp: SIPTimestamp) {
        let ms = Int(timestamp.millisecondsSince1970)
        seconds = ms >= 0 ? ms / 1_000 : (ms - 999) / 1_000
        milliseconds = ms - seconds * 1_000
    }

    /// Milliseconds since 1970.
    public var millisecondsSince1970: Int64 { Int64(seconds) * 1_000 + Int64(milliseconds) }

    public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool {
        (lhs.seconds, lhs.milliseconds) < (rhs.seconds, rhs.milliseconds)
    }

    public static func now() -> LogTimestamp {
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        return LogTimestamp(seconds: Int(seconds), milliseconds: min(999, Int((now - seconds) * 1_000)))
    }
}
