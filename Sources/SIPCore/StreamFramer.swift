/// Splits a TCP or TLS byte stream into SIP messages (RFC 3261 §18.3) and keep-alives
/// (RFC 5626 §4.4.1, §5.4).
///
/// The framer is a state struct: the caller hands it the unconsumed bytes of the stream, gets a
/// ``Step`` back and drops `consumed` bytes before the next call. It survives any split of the
/// input: with too few bytes it answers ``Step/needMoreData`` and remembers how far it scanned.
///
/// - A double CRLF between messages is a keep-alive "ping", to be answered with a single CRLF
///   ("pong"); a single CRLF is skipped (RFC 3261 §7.5).
/// - A message is cut at the end of its header section plus Content-Length bytes; Content-Length
///   is mandatory on streams.
/// - A message that is framed correctly but otherwise invalid is ``Step/invalidMessage(_:consumed:)``:
///   answer it when possible and go on reading.
/// - When the framing itself is broken (no or bad Content-Length, a header section or body over
///   the size limit) the step is ``Step/framingError(_:)``: answer when possible, then close the
///   connection, since where the next message starts is unknown.
public struct SIPStreamFramer: Sendable {
    public enum Step: Sendable {
        /// The bytes so far end inside a message or keep-alive.
        case needMoreData
        /// A keep-alive; reply with CRLF when `pong` is true.
        case keepAlive(consumed: Int, pong: Bool)
        /// A message.
        case message(SIPMessage, consumed: Int)
        /// A correctly framed but invalid message; the stream stays usable.
        case invalidMessage(SIPParseError, consumed: Int)
        /// The stream cannot be framed any further: close the connection after answering.
        case framingError(SIPParseError)
    }

    public let parser: SIPMessageParser
    /// Where the scan for the end of the header section resumes (relative to the frame start).
    private var scanned = 0
    /// Total length of the current frame, once its header section was read.
    private var frameLength: Int?

    public init(limits: SIPParserLimits = .default) {
        parser = SIPMessageParser(limits: limits)
    }

    /// Decodes the next step from `buffer`, the unconsumed bytes, starting at a frame boundary.
    public mutating func next(_ buffer: UnsafeRawBufferPointer) -> Step {
        let count = buffer.count
        guard count > 0 else { return .needMoreData }
        if frameLength == nil && scanned == 0 {
            if buffer[0] == Lexer.cr {
                guard count >= 2 else { return .needMoreData }
                guard buffer[1] == Lexer.lf else {
                    return .framingError(SIPParseError(.malformedStartLine, "stray carriage return"))
                }
                if count == 2 || (count == 3 && buffer[2] == Lexer.cr) { return .needMoreData }
                if buffer[2] == Lexer.cr && buffer[3] == Lexer.lf { return .keepAlive(consumed: 4, pong: true) }
                return .keepAlive(consumed: 2, pong: false)
            }
            if buffer[0] == Lexer.lf { return .keepAlive(consumed: 1, pong: false) }
        }

        if frameLength == nil {
            let limit = parser.limits.maxMessageSize
            let from = max(0, scanned - 3)
            guard let located = SIPMessageParser.locateHeaderEnd(buffer, from: from, to: min(count, limit)) else {
                if count >= limit {
                    reset()
                    return .framingError(SIPParseError(
                        .messageTooLarge, "header section larger than \(limit) bytes"))
                }
                scanned = count
                return .needMoreData
            }
            let header = UnsafeRawBufferPointer(rebasing: buffer[0..<located.headEnd])
            switch SIPStreamFramer.contentLength(header) {
            case .value(let length):
                let total = located.bodyStart + length
                if total > limit {
                    reset()
                    var error = SIPParseError(
                        .messageTooLarge, "message of \(total) bytes exceeds \(limit)")
                    error.replyHeaders = replyHeaders(buffer, headEnd: located.bodyStart)
                    return .framingError(error)
                }
                frameLength = total
            case .missing:
                reset()
                var error = SIPParseError(.missingContentLength, "missing Content-Length on a stream transport")
                error.replyHeaders = replyHeaders(buffer, headEnd: located.bodyStart)
                return .framingError(error)
            case .invalid:
                reset()
                var error = SIPParseError(.invalidContentLength, "invalid Content-Length")
                error.replyHeaders = replyHeaders(buffer, headEnd: located.bodyStart)
                return .framingError(error)
            }
        }
        let total = frameLength!
        guard count >= total else { return .needMoreData }
        reset()
        do {
            let message = try parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<total]), framing: .stream)
            return .message(message, consumed: total)
        } catch {
            return .invalidMessage(error, consumed: total)
        }
    }

    /// Forgets any partial scan; call after closing or resetting a connection.
    public mutating func reset() {
        scanned = 0
        frameLength = nil
    }

    /// The headers needed to answer the request whose header section ends at `headEnd`.
    private func replyHeaders(_ buffer: UnsafeRawBufferPointer, headEnd: Int) -> SIPReplyHeaders? {
        do {
            let message = try parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<headEnd]), framing: .datagram)
            return message.request.map(SIPReplyHeaders.init(request:))
        } catch {
            return error.replyHeaders
        }
    }

    enum ContentLength {
        case value(Int)
        case missing
        case invalid
    }

    /// Reads Content-Length (or its compact form `l`) from a header section without parsing the
    /// rest; more than one differing value is invalid.
    static func contentLength(_ header: UnsafeRawBufferPointer) -> ContentLength {
        var found: Int?
        var lineStart = 0
        let count = header.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, header[lineEnd] != Lexer.lf { lineEnd += 1 }
            if let value = contentLengthValue(header, lineStart, lineEnd) {
                guard let length = value else { return .invalid }
                if let found, found != length { return .invalid }
                found = length
            }
            lineStart = lineEnd + 1
        }
        return found.map { .value($0) } ?? .missing
    }

    /// nil when the line is not Content-Length; .some(nil) when it is but the value is bad.
    private static func contentLengthValue(_ h: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int?? {
        var i = start
        while i < end, Lexer.isToken(h[i]) { i += 1 }
        let nameLength = i - start
        let long = Array("content-length".utf8)
        if nameLength == 1 {
            guard Lexer.lower(h[start]) == UInt8(ascii: "l") else { return nil }
        } else if nameLength == long.count {
            for k in 0..<nameLength where Lexer.lower(h[start + k]) != long[k] { return nil }
        } else {
            return nil
        }
        while i < end, Lexer.isWhitespace(h[i]) { i += 1 }
        guard i < end, h[i] == Lexer.colon else { return nil }
        i += 1
        var valueEnd = end
        while valueEnd > i, Lexer.isLWS(h[valueEnd - 1]) { valueEnd -= 1 }
        while i < valueEnd, Lexer.isLWS(h[i]) { i += 1 }
        guard i < valueEnd, valueEnd - i <= 10 else { return .some(nil) }
        var value = 0
        for k in i..<valueEnd {
            guard Lexer.isDigit(h[k]) else { return .some(nil) }
            value = value * 10 + Int(h[k] - 0x30)
        }
        return .some(value)
    }
}
