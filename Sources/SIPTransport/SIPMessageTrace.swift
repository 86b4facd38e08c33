public import Logging
public import NIOCore
public import SIPCore

/// The full SIP message trace (`switchboard serve --trace-sip`, `logging.traceSIP`): every
/// message received (once parsed, before `received`/`rport` are stamped on its Via) and every
/// message sent (once written), as one log record each, with the secrets removed
/// (``SIPTraceRedaction``: digest `response` and `rspauth` values become `"…"`).
///
/// A record: message `in udp 192.0.2.10:5060 431 bytes` then, on the next lines, the message
/// (line ends as LF) and a final line end (so in the text log format the metadata that follows
/// stands on a line of its own), and metadata `event=sip.trace`, `sip.direction` (`in`/`out`),
/// `sip.transport`, `sip.remote`, `sip.bytes` (the size on the wire), `sip.call_id`.
///
/// Written on the thread that received or sent the message (an event loop): the serialization,
/// redaction and formatting happen there, then the line goes into the log backend's bounded
/// buffer, which a writer thread drains (the server's `BufferedLogHandler`): nothing waits for
/// the terminal or the disk. Off (the default) costs one nil check per message.
public struct SIPMessageTrace: Sendable {
    /// The direction of a traced message.
    public enum Direction: String, Sendable {
        case incoming = "in"
        case outgoing = "out"
    }

    /// Where the records go; nil: tracing is off.
    public let logger: Logger?
    /// The level of the records.
    public let level: Logger.Level

    /// Tracing off.
    public static let off = SIPMessageTrace(logger: nil)

    public init(logger: Logger?, level: Logger.Level = .info) {
        self.logger = logger
        self.level = level
    }

    public var isOn: Bool { logger != nil }

    /// Traces `message`, sent to or received from `remote` over `transport`.
    @inline(__always)
    public func record(_ direction: Direction, _ message: SIPMessage, transport: SIPTransportProtocol, remote: SocketAddress) {
        guard let logger else { return }
        write(direction, message, transport: transport, remote: remote, to: logger)
    }

    private func write(
        _ direction: Direction, _ message: SIPMessage, transport: SIPTransportProtocol, remote: SocketAddress, to logger: Logger
    ) {
        guard logger.logLevel <= level else { return }
        let wire = message.serialized()
        let text = Self.text(SIPTraceRedaction.redact(wire))
        let remoteText = remote.sipHostPort
        logger.log(
            level: level, "\(direction.rawValue) \(transport.description) \(remoteText) \(wire.count) bytes\n\(text)\n",
            metadata: [
                "event": "sip.trace", "sip.direction": .string(direction.rawValue),
                "sip.transport": .string(transport.description), "sip.remote": .string(remoteText),
                "sip.bytes": .stringConvertible(wire.count),
                "sip.call_id": .string(message.headers[.callID].map(String.init) ?? ""),
            ])
    }

    /// The redacted message as text: CRLF → LF, the trailing blank line dropped, bytes that are
    /// not UTF-8 replaced.
    static func text(_ bytes: [UInt8]) -> String {
        var lines: [UInt8] = []
        lines.reserveCapacity(bytes.count)
        for byte in bytes where byte != UInt8(ascii: "\r") { lines.append(byte) }
        while lines.last == UInt8(ascii: "\n") { lines.removeLast() }
        return String(decoding: lines, as: UTF8.self)
    }
}
