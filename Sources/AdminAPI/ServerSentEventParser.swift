/// Splits a `text/event-stream` body (HTML Living Standard §9.2.6) into events as bytes arrive,
/// in chunks cut anywhere. Only what `GET /v1/logs` sends is interpreted: `event:` and `data:`
/// fields (several `data:` lines join with `\n`), comments (`:`) ignored, an event dispatched at
/// a blank line. Lines end in LF, CRLF or CR. A line longer than ``maxLineBytes`` is dropped.
public struct ServerSentEventParser: Sendable {
    /// One dispatched event.
    public struct Event: Sendable, Hashable {
        /// The `event:` field; `message` when none was given.
        public var name: String
        public var data: String
    }

    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var lineTooLong = false
    private var lastWasCR = false
    private var name: String?
    private var data: [String] = []

    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds the next bytes; returns the events they completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else if line.count < maxLineBytes {
                line.append(byte)
            } else {
                lineTooLong = true
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer {
            line.removeAll(keepingCapacity: true)
            lineTooLong = false
        }
        if lineTooLong { return nil }
        if line.isEmpty {
            defer {
                name = nil
                data = []
            }
            guard !data.isEmpty else { return nil }
            return Event(name: name ?? "message", data: data.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = String(decoding: line[..<colon], as: UTF8.self)
        var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "event": name = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
