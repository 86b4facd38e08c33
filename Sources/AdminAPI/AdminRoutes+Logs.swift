import Foundation
import Hummingbird
public import LogTap
import Logging
import NIOCore
import SIPCore
import ServiceLifecycle

/// `GET /v1/logs`: the server's log records as Server-Sent Events (`text/event-stream`, one
/// `data:` line per record, the record as one JSON object in ``LogLineFormat/json``), filtered
/// on the server (``LogFilter``) so a reader of one phone is sent only that phone's records.
///
/// Query: `instrument` (a MAC in any spelling, or a soft-phone token), `aor` (as for
/// registrations), `method` (`REGISTER`), `level` (least severe level), `since` (seconds: replay
/// the recent records of that long ago and later), `follow` (`true`: stay connected and send
/// records as they are logged). Without `follow` the matching recent records are sent (all of
/// them, or those within `since`) and the stream ends; with `follow` and no `since` only new
/// records are sent.
///
/// A reader that falls behind loses records rather than slowing the server (``LogTap``); the
/// count is reported in an `event: dropped` message (`data: {"dropped":N}`, the total so far). A
/// comment line (`: keep-alive`) is sent when nothing else was for ``AdminAPILimits/logKeepAlive``,
/// so a vanished reader is noticed. Graceful shutdown ends every stream.
extension AdminRoutes {
    func addLogRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/logs") { request, _ in try self.logs(request) }
    }

    /// The filter a request asks for; 400 naming the bad parameter.
    func logFilter(_ request: Request) throws(AdminAPIError) -> (filter: LogFilter, follow: Bool, hasSince: Bool) {
        var filter = LogFilter()
        if let text = try queryValue(request, "instrument") {
            if let problem = SIPInstrumentID.operatorInputProblem(text) { throw .badRequest("invalid instrument: \(problem)") }
            filter.instrument = SIPInstrumentID(operatorInput: text)
        }
        if let text = try queryValue(request, "aor") { filter.aor = try canonicalAOR(text) }
        if let text = try queryValue(request, "method") {
            guard text.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x61 && $0 <= 0x7A }), text.utf8.count <= 32 else {
                throw .badRequest("method: '\(text.prefix(40))' is not a SIP method name (letters only, e.g. REGISTER)")
            }
            filter.method = text.uppercased()
        }
        if let text = try queryValue(request, "level") {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw .badRequest("level: '\(text.prefix(40))' is not one of trace, debug, info, notice, warning, error, critical")
            }
            filter.level = level
        }
        var hasSince = false
        if let text = try queryValue(request, "since") {
            guard let seconds = Int64(text), seconds >= 0, seconds <= 366 * 86_400 else {
                throw .badRequest("since: '\(text.prefix(40))' is not a number of seconds (0 to 31622400)")
            }
            filter.since = LogTimestamp(clock.now().adding(seconds: -seconds))
            hasSince = true
        }
        var follow = false
        if let text = try queryValue(request, "follow") {
            switch text.lowercased() {
            case "true", "1", "yes": follow = true
            case "false", "0", "no": follow = false
            default: throw .badRequest("follow: expected true or false")
            }
        }
        return (filter, follow, hasSince)
    }

    func logs(_ request: Request) throws -> Response {
        let (filter, follow, hasSince) = try logFilter(request)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        guard follow else {
            let records = logTap.recent(filter)
            var buffer = ByteBuffer()
            for record in records { Self.writeEvent(record, to: &buffer) }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
        }
        let subscription: LogSubscription
        do {
            subscription = try logTap.subscribe(filter)
        } catch {
            throw AdminAPIError.request(status: 503, message: error.description)
        }
        let replay = hasSince ? subscription.replay : []
        let keepAlive = limits.logKeepAlive
        let dropCheck = limits.logDropCheck
        let flushEvery = limits.logFlushInterval
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { subscription.cancel() }
                try await withGracefulShutdownHandler {
                    try await Self.stream(
                        subscription, replay: replay, keepAlive: keepAlive, dropCheck: dropCheck, flushEvery: flushEvery,
                        to: &writer)
                } onGracefulShutdown: {
                    subscription.cancel()
                }
                try await writer.finish(nil)
            })
    }

    /// Writes the replay, then the live records as they come, gathered for `flushEvery` (or
    /// 64 KiB) into one write; every `dropCheck` it reports new drops, and after `keepAlive` of
    /// silence it writes a comment. Returns when the subscription ends, having written what it
    /// gathered; throws when the reader is gone.
    private static func stream(
        _ subscription: LogSubscription, replay: [LogRecord], keepAlive: Duration, dropCheck: Duration,
        flushEvery: Duration, to writer: inout any ResponseBodyWriter
    ) async throws {
        var buffer = ByteBuffer()
        buffer.writeString(": switchboard logs\n\n")  // headers and a first byte go out at once
        for record in replay { writeEvent(record, to: &buffer) }
        try await writer.write(buffer)
        buffer.clear()
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: flushEvery)
                subscription.tick()
            }
        }
        defer { ticks.cancel() }
        var reportedDrops = 0
        var silentFor = Duration.zero
        var sinceDropCheck = Duration.zero
        for await item in subscription.items {
            switch item {
            case .record(let record):
                writeEvent(record, to: &buffer)
                silentFor = .zero
                guard buffer.readableBytes >= flushBytes else { continue }
            case .tick:
                sinceDropCheck += flushEvery
                if sinceDropCheck >= dropCheck {
                    sinceDropCheck = .zero
                    let dropped = subscription.droppedCount
                    if dropped != reportedDrops {
                        reportedDrops = dropped
                        buffer.writeString("event: dropped\ndata: {\"dropped\":\(dropped)}\n\n")
                        silentFor = .zero
                    } else if buffer.readableBytes == 0 {
                        silentFor += dropCheck
                        if silentFor >= keepAlive {
                            buffer.writeString(": keep-alive\n\n")
                            silentFor = .zero
                        }
                    }
                }
                guard buffer.readableBytes > 0 else { continue }
            }
            try await writer.write(buffer)
            buffer.clear()
        }
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
    }

    /// A batch this large is written without waiting for the flush interval.
    static let flushBytes = 64 * 1024

    /// `data: {…}\n\n`: one record as one SSE event (the JSON has no raw newline).
    static func writeEvent(_ record: LogRecord, to buffer: inout ByteBuffer) {
        buffer.writeString("data: ")
        var line = LogLineFormat.json.line(record)
        line.removeLast()  // its newline
        buffer.writeBytes(line)
        buffer.writeString("\n\n")
    }
}
