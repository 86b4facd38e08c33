import LogTap
import Logging
import SIPCore
import Synchronization
import Testing

func record(
    _ message: String, level: Logger.Level = .info, at milliseconds: Int64 = 1_000_000, _ metadata: Logger.Metadata = [:]
) -> LogRecord {
    LogRecord(
        time: LogTimestamp(SIPTimestamp(millisecondsSince1970: milliseconds)), level: level, label: "test", message: message,
        metadata: metadata)
}

@Suite("LogRingBuffer: the most recent records, oldest overwritten first")
struct LogRingBufferTests {
    @Test("Below capacity every record is kept in order; beyond it the oldest go first")
    func keepsTheNewest() {
        var ring = LogRingBuffer(capacity: 3)
        for index in 0..<2 { ring.append(record("r\(index)")) }
        #expect(ring.records.map(\.message) == ["r0", "r1"])
        for index in 2..<7 { ring.append(record("r\(index)")) }
        #expect(ring.records.map(\.message) == ["r4", "r5", "r6"])
        #expect(ring.count == 3)
        #expect(ring.overwritten == 4)
        #expect(ring.records(where: { $0.message != "r5" }).map(\.message) == ["r4", "r6"])
    }

    @Test("A capacity below 1 is taken as 1")
    func minimumCapacity() {
        var ring = LogRingBuffer(capacity: 0)
        ring.append(record("a"))
        ring.append(record("b"))
        #expect(ring.records.map(\.message) == ["b"])
    }
}

@Suite("LogFilter: server-side filters of switchboard logs")
struct LogFilterTests {
    let ok = record("register.ok", ["sip.instrument": "0000DEADBEEF", "sip.aor": "sip:69@example.net", "sip.method": "REGISTER"])

    @Test("The instrument matches canonically, whatever spelling the filter and the record use")
    func instrumentAnySpelling() throws {
        for spelling in ["0000DEADBEEF", "0000deadbeef", "00:00:de:ad:be:ef", "0000-dead-beef", "0000.dead.beef"] {
            let filter = LogFilter(instrument: try #require(SIPInstrumentID(spelling)))
            #expect(filter.matches(ok), "\(spelling)")
            #expect(filter.matches(record("admin", ["instrument": "00:00:DE:AD:BE:EF"])), "admin events name it 'instrument'")
        }
        let other = LogFilter(instrument: SIPInstrumentID("0000DEADBEE1"))
        #expect(!other.matches(ok))
        #expect(!other.matches(record("no instrument")))
    }

    @Test("AOR, method (any case) and level (that level or more severe) all have to hold")
    func everyCondition() {
        #expect(LogFilter(aor: "sip:69@example.net").matches(ok))
        #expect(!LogFilter(aor: "sip:70@example.net").matches(ok))
        #expect(LogFilter(method: "register").matches(ok))
        #expect(!LogFilter(method: "OPTIONS").matches(ok))
        #expect(LogFilter(level: .info).matches(ok))
        #expect(!LogFilter(level: .notice).matches(ok))
        #expect(LogFilter(level: .notice).matches(record("x", level: .error)))
        #expect(!LogFilter(aor: "sip:69@example.net", method: "OPTIONS").matches(ok))
        #expect(LogFilter().matches(record("anything")))
    }

    @Test("since limits the replay, not the live records")
    func sinceIsForReplay() {
        let filter = LogFilter(since: LogTimestamp(SIPTimestamp(millisecondsSince1970: 5_000)))
        #expect(!filter.matchesReplay(record("old", at: 4_999)))
        #expect(filter.matchesReplay(record("new", at: 5_000)))
        #expect(filter.matches(record("old", at: 4_999)))
    }
}

@Suite("LogTap: publish never waits; subscribers get what their filter takes, slow ones lose and count")
struct LogTapTests {
    @Test("A subscriber gets only the records its filter matches, in order, after the replay")
    func filteredInOrder() async throws {
        let tap = LogTap()
        tap.publish(record("before", ["sip.instrument": "0000DEADBEEF"]))
        let subscription = try tap.subscribe(LogFilter(instrument: SIPInstrumentID("0000deadbeef")))
        #expect(subscription.replay.map(\.message) == ["before"])
        tap.publish(record("other phone", ["sip.instrument": "0000DEADBEE1"]))
        tap.publish(record("one", ["sip.instrument": "0000DEADBEEF"]))
        tap.publish(record("two", ["sip.instrument": "0000DEADBEEF"]))
        subscription.cancel()
        var live: [String] = []
        for await item in subscription.records { live.append(item.message) }
        #expect(live == ["one", "two"])
        #expect(tap.statistics.subscribers == 0, "a finished subscription is removed")
        #expect(tap.statistics.published == 4)
    }

    @Test("A reader that does not read loses what does not fit its queue, counted; publishing goes on")
    func slowReaderDropsAndCounts() async throws {
        let tap = LogTap(configuration: LogTap.Configuration(recentRecords: 100, subscriberQueue: 5))
        let slow = try tap.subscribe(LogFilter())
        for index in 0..<1_000 { tap.publish(record("r\(index)")) }
        #expect(slow.droppedCount == 995)
        #expect(tap.statistics.dropped == 995)
        #expect(tap.statistics.recent == 100)
        slow.cancel()
        var kept: [String] = []
        for await item in slow.records { kept.append(item.message) }
        #expect(kept == ["r0", "r1", "r2", "r3", "r4"], "the oldest queued are kept, later ones dropped")
    }

    @Test("At most maxSubscribers readers; a cancelled one frees its place")
    func subscriberLimit() throws {
        let tap = LogTap(configuration: LogTap.Configuration(maxSubscribers: 1))
        let first = try tap.subscribe(LogFilter())
        #expect(throws: LogTapError.tooManySubscribers(1)) { _ = try tap.subscribe(LogFilter()) }
        first.cancel()
        _ = try tap.subscribe(LogFilter())
    }

    @Test("recent(filter) replays the matching records held, within since")
    func recentReplay() {
        let tap = LogTap()
        tap.publish(record("a", at: 1_000, ["sip.aor": "sip:69@example.net"]))
        tap.publish(record("b", at: 2_000, ["sip.aor": "sip:70@example.net"]))
        tap.publish(record("c", at: 3_000, ["sip.aor": "sip:69@example.net"]))
        #expect(tap.recent(LogFilter(aor: "sip:69@example.net")).map(\.message) == ["a", "c"])
        let since = LogTimestamp(SIPTimestamp(millisecondsSince1970: 2_000))
        #expect(tap.recent(LogFilter(since: since)).map(\.message) == ["b", "c"])
    }
}

/// Records what the wrapped handler is given.
final class RecordingHandlerStore: Sendable {
    let messages = Mutex<[String]>([])
}

struct RecordingHandler: LogHandler {
    let store: RecordingHandlerStore
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { store.messages.withLock { $0.append(event.message.description) } }
}

@Suite("LogTapHandler: the log and the tap, each at its own level")
struct LogTapHandlerTests {
    @Test("With the log at notice and the tap at info, info goes to the tap only; notice to both; debug to neither")
    func levels() {
        let tap = LogTap(level: .info)
        let store = RecordingHandlerStore()
        var logger = Logger(label: "t") { label in
            LogTapHandler(
                label: label, base: RecordingHandler(store: store, logLevel: .notice), tap: tap,
                now: { LogTimestamp(seconds: 1, milliseconds: 0) })
        }
        logger[metadataKey: "component"] = "registrar"
        logger.debug("debug")
        logger.info("info", metadata: ["sip.instrument": "0000DEADBEEF"])
        logger.notice("notice")
        #expect(store.messages.withLock { $0 } == ["notice"])
        let recent = tap.recent(LogFilter())
        #expect(recent.map(\.message) == ["info", "notice"])
        #expect(recent.first?["sip.instrument"] == "0000DEADBEEF")
        #expect(recent.first?["component"] == "registrar", "the handler's metadata is merged in")
        #expect(recent.first?.label == "t")
    }
}
