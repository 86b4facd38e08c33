import Foundation
import LogTap
import Logging
import Synchronization
import Testing

@testable import switchboard

/// Records every batch the writer outputs (one element per `output` call).
final class BatchRecorder: Sendable {
    private let batches = Mutex<[[UInt8]]>([])
    private let written = DispatchSemaphore(value: 0)

    var output: BackgroundLogWriter.Output {
        { bytes in
            self.batches.withLock { $0.append(Array(bytes)) }
            self.written.signal()
        }
    }
    var batchCount: Int { batches.withLock { $0.count } }
    /// Everything written, as text.
    var text: String { String(decoding: batches.withLock { $0.joined() }, as: UTF8.self) }
    /// Waits (bounded) until a batch was written; false on timeout.
    func waitForBatch() -> Bool { written.wait(timeout: .now() + 10) == .success }
}

func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

@Suite("LogLineBuffer: bounded, ordered, drops and counts")
struct LogLineBufferTests {
    @Test("Lines come out in the order they went in; take empties the buffer and keeps working")
    func keepsOrder() {
        var buffer = LogLineBuffer(capacity: 1_000)
        var kept: [Bool] = []
        for index in 0..<5 { kept.append(buffer.append(line("line \(index)"))) }
        #expect(kept == [true, true, true, true, true])
        var batch: [UInt8] = []
        var dropped = buffer.take(into: &batch)
        #expect(dropped == 0)
        #expect(String(decoding: batch, as: UTF8.self) == "line 0\nline 1\nline 2\nline 3\nline 4\n")
        #expect(buffer.isEmpty)
        buffer.append(line("line 5"))
        dropped = buffer.take(into: &batch)
        #expect(dropped == 0)
        #expect(String(decoding: batch, as: UTF8.self) == "line 5\n")
    }

    @Test("A line that does not fit whole is dropped and counted; the count restarts after take")
    func dropsAndCountsWhenFull() {
        var buffer = LogLineBuffer(capacity: 20)
        let kept = [
            buffer.append(line("123456789")),  // 10 bytes
            buffer.append(line("abcdefghi")),  // 20: exactly full
            buffer.append(line("x")),
            buffer.append(line("y")),
        ]
        #expect(kept == [true, true, false, false])
        #expect(buffer.droppedLines == 2)
        var batch: [UInt8] = []
        var dropped = buffer.take(into: &batch)
        #expect(dropped == 2)
        #expect(String(decoding: batch, as: UTF8.self) == "123456789\nabcdefghi\n")
        #expect(buffer.droppedLines == 0)
        let keptAfter = buffer.append(line("after"))
        #expect(keptAfter)
        dropped = buffer.take(into: &batch)
        #expect(dropped == 0)
    }
}

@Suite("BackgroundLogWriter: batches, drop reports, flush (output injected)")
struct BackgroundLogWriterTests {
    static func report(_ count: Int) -> [UInt8] { line("log: dropped \(count) lines") }

    @Test("flush writes every pending line in order with one output call; nothing pending, no call")
    func flushWritesOneOrderedBatch() {
        let recorder = BatchRecorder()
        let writer = BackgroundLogWriter(capacity: 1 << 16, dropReport: Self.report, output: recorder.output)
        writer.flush()
        #expect(recorder.batchCount == 0)
        for index in 0..<100 { writer.append(line("event \(index)")) }
        writer.flush()
        #expect(recorder.batchCount == 1)
        #expect(recorder.text == (0..<100).map { "event \($0)\n" }.joined())
        writer.flush()
        #expect(recorder.batchCount == 1)
    }

    @Test("When full, lines are dropped, and the next batch ends with 'log: dropped N lines' (once)")
    func reportsDrops() {
        let recorder = BatchRecorder()
        let writer = BackgroundLogWriter(capacity: 30, dropReport: Self.report, output: recorder.output)
        for index in 0..<5 { writer.append(line("event \(index)")) }  // 8 bytes each: 3 fit
        writer.flush()
        #expect(recorder.text == "event 0\nevent 1\nevent 2\nlog: dropped 2 lines\n")
        writer.append(line("event 5"))
        writer.flush()
        #expect(recorder.text.hasSuffix("log: dropped 2 lines\nevent 5\n"), "the count was reset")
        #expect(recorder.batchCount == 2)
    }

    @Test("Drops alone (every line too long) are still reported")
    func reportsDropsWithoutLines() {
        let recorder = BatchRecorder()
        let writer = BackgroundLogWriter(capacity: 4, dropReport: Self.report, output: recorder.output)
        writer.append(line("too long"))
        writer.flush()
        #expect(recorder.text == "log: dropped 1 lines\n")
    }

    @Test("The writer thread batches: lines appended while it lingers go out in one write; stop writes them")
    func threadWritesOneBatchOnStop() {
        let recorder = BatchRecorder()
        let writer = BackgroundLogWriter(
            capacity: 1 << 20, linger: .seconds(3_600), dropReport: Self.report, output: recorder.output)
        writer.start()
        for index in 0..<1_000 { writer.append(line("event \(index)")) }
        writer.stop()
        #expect(recorder.batchCount == 1)
        #expect(recorder.text == (0..<1_000).map { "event \($0)\n" }.joined())
    }

    @Test("The writer thread writes on its own once the buffer is half full, without waiting for the linger")
    func threadWritesWhenHalfFull() {
        let recorder = BatchRecorder()
        let writer = BackgroundLogWriter(
            capacity: 1_000, linger: .seconds(3_600), dropReport: Self.report, output: recorder.output)
        writer.start()
        defer { writer.stop() }
        for index in 0..<70 { writer.append(line("event \(index)")) }  // 8-9 bytes each: > 500
        #expect(recorder.waitForBatch(), "no write within 10 s although the buffer is half full")
        #expect(recorder.text.hasPrefix("event 0\nevent 1\n"))
    }
}

@Suite("BufferedLogHandler and LogLineFormat")
struct BufferedLogHandlerTests {
    static func logger(level: Logger.Level, format: LogLineFormat, recorder: BatchRecorder) -> (Logger, BackgroundLogWriter) {
        let writer = BackgroundLogWriter(dropReport: { format.droppedLinesReport($0) }, output: recorder.output)
        let logger = Logger(label: "switchboard.test") { label in
            BufferedLogHandler(label: label, format: format, level: level, writer: writer)
        }
        return (logger, writer)
    }

    @Test("Below the level nothing is built or buffered (the message is never evaluated)")
    func levelIsCheckedFirst() {
        let recorder = BatchRecorder()
        let (logger, writer) = Self.logger(level: .notice, format: .text, recorder: recorder)
        let evaluated = Mutex(false)
        func message() -> Logger.Message {
            evaluated.withLock { $0 = true }
            return "expensive"
        }
        logger.info(message())
        writer.flush()
        #expect(recorder.batchCount == 0)
        #expect(!evaluated.withLock { $0 })
        logger.notice("kept", metadata: ["b": "2", "a": "1"])
        writer.flush()
        #expect(recorder.text.hasSuffix(" notice switchboard.test: kept a=1 b=2\n"), "\(recorder.text)")
    }

    @Test("critical is written at once, without a flush")
    func criticalIsFlushed() {
        let recorder = BatchRecorder()
        let (logger, _) = Self.logger(level: .info, format: .text, recorder: recorder)
        logger.info("first")
        logger.critical("going down")
        #expect(recorder.batchCount == 1)
        #expect(recorder.text.contains("info switchboard.test: first\n"))
        #expect(recorder.text.hasSuffix("critical switchboard.test: going down\n"))
    }

    @Test("Text: UTC time with milliseconds, level, label, message, metadata sorted by key")
    func textLine() {
        let time = LogTimestamp(seconds: 1_795_860_245, milliseconds: 7)  // 2026-11-28T10:04:05.007Z
        let bytes = LogLineFormat.text.line(
            level: .info, label: "switchboard.registrar", message: "register.ok",
            metadata: ["sip.aor": "sip:69@example.net", "event": "register.ok"], time: time)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "2026-11-28T10:04:05.007Z info switchboard.registrar: register.ok event=register.ok sip.aor=sip:69@example.net\n")
    }

    @Test("UTC dates match Foundation's calendar, leap days and centuries included (1868-2079)")
    func civilDates() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let days = [0, 1, 58, 59, 60, 365, 10_956, 11_016, 11_017, 47_541, 20_000, -1, -25_567, -36_890]
        for day in days + Array(stride(from: 0, to: 40_000, by: 97)) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let expected = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = LogLineFormat.civilDate(daysSince1970: day)
            #expect(civil.year == expected.year && civil.month == expected.month && civil.day == expected.day, "day \(day)")
        }
    }

    @Test("JSON: one object per line, strings escaped, parses back")
    func jsonLine() throws {
        let time = LogTimestamp(seconds: 1_795_860_245, milliseconds: 123)
        let bytes = LogLineFormat.json.line(
            level: .warning, label: "switchboard", message: "a \"quoted\"\nline\u{1}",
            metadata: ["path": "C:\\tmp", "count": .stringConvertible(3)], time: time)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1)
        #expect(text.hasPrefix("{\"ts\":1795860245.123,\"level\":\"warning\",\"label\":\"switchboard\","))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["msg"] as? String == "a \"quoted\"\nline\u{1}")
        #expect(object["meta"] as? [String: String] == ["path": "C:\\tmp", "count": "3"])
    }

    @Test("The drop report is a warning line in the log's own format")
    func dropReportFormat() throws {
        let text = String(decoding: LogLineFormat.text.droppedLinesReport(7), as: UTF8.self)
        #expect(text.hasSuffix(" warning switchboard.log: log: dropped 7 lines dropped=7\n"))
        let json = LogLineFormat.json.droppedLinesReport(7)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["msg"] as? String == "log: dropped 7 lines")
        #expect(object["level"] as? String == "warning")
    }
}
