import SIPCore
import Testing

/// What a connection handler sees from the framer, in order.
enum FramerEvent: Equatable, CustomStringConvertible {
    case message(SIPMessage)
    case keepAlive(pong: Bool)
    case invalid(SIPParseError.Code, String, answerable: Bool)
    case framingError(SIPParseError.Code, String, answerable: Bool)

    var description: String {
        switch self {
        case .message(let m): "message(\(m.request?.method.rawValue ?? String(m.response?.statusCode ?? 0)))"
        case .keepAlive(let pong): "keepAlive(pong: \(pong))"
        case .invalid(let code, let reason, let answerable): "invalid(\(code), \(reason), answerable: \(answerable))"
        case .framingError(let code, let reason, let answerable):
            "framingError(\(code), \(reason), answerable: \(answerable))"
        }
    }
}

/// Feeds `chunks` to a framer the way a channel handler does: append to a buffer, take every
/// complete step, drop consumed bytes, stop at a framing error (the connection closes).
func frame(_ chunks: [ArraySlice<UInt8>], limits: SIPParserLimits = .default) -> [FramerEvent] {
    var framer = SIPStreamFramer(limits: limits)
    var buffer: [UInt8] = []
    var events: [FramerEvent] = []
    for chunk in chunks {
        buffer.append(contentsOf: chunk)
        while true {
            let step = buffer.withUnsafeBytes { framer.next($0) }
            switch step {
            case .needMoreData:
                break
            case .keepAlive(let consumed, let pong):
                events.append(.keepAlive(pong: pong))
                buffer.removeFirst(consumed)
                continue
            case .message(let message, let consumed):
                events.append(.message(message))
                buffer.removeFirst(consumed)
                continue
            case .invalidMessage(let error, let consumed):
                events.append(.invalid(error.code, error.reason, answerable: error.isAnswerable))
                buffer.removeFirst(consumed)
                continue
            case .framingError(let error):
                events.append(.framingError(error.code, error.reason, answerable: error.isAnswerable))
                return events
            }
            break
        }
    }
    return events
}

/// Checks that `stream` gives `expected` however it is cut: in one piece, in two pieces at every
/// offset, byte by byte, and in pseudo-random chunks (as NIO's ByteToMessageDecoderVerifier does).
func verifyEverySplit(
    _ stream: [UInt8], expected: [FramerEvent], limits: SIPParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let whole = frame([stream[...]], limits: limits)
    #expect(whole == expected, "in one piece", sourceLocation: sourceLocation)
    var failures = 0
    for offset in 0...stream.count where failures < 3 {
        let events = frame([stream[..<offset], stream[offset...]], limits: limits)
        if events != expected {
            failures += 1
            Issue.record("split at \(offset): \(events)", sourceLocation: sourceLocation)
        }
    }
    let bytewise = frame(stream.indices.map { stream[$0...$0] }, limits: limits)
    #expect(bytewise == expected, "byte by byte", sourceLocation: sourceLocation)
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<20 {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < stream.count {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = min(stream.count - start, Int(seed >> 33) % 97 + 1)
            chunks.append(stream[start..<start + length])
            start += length
        }
        let events = frame(chunks, limits: limits)
        #expect(events == expected, "random chunks \(chunks.map(\.count))", sourceLocation: sourceLocation)
    }
}

@Suite struct StreamFramerTests {
    static let invite = wire(
        """
        INVITE sip:bob@example.net SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs1
        Max-Forwards: 70
        From: <sip:alice@example.net>;tag=1
        To: <sip:bob@example.net>
        Call-ID: stream-1
        CSeq: 1 INVITE
        Content-Type: application/sdp
        Content-Length: 10

        v=0
        o=-

        """)
    static let register = wire(
        """
        REGISTER sip:example.net SIP/2.0
        v: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs2
        f: <sip:69@example.net>;tag=2
        t: <sip:69@example.net>
        i: stream-2
        CSeq: 2 REGISTER
        m: <sip:69@192.0.2.1:5060;transport=tcp>
        l: 0


        """)
    static let ok = wire(
        """
        SIP/2.0 200 OK
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs2
        From: <sip:69@example.net>;tag=2
        To: <sip:69@example.net>;tag=srv
        Call-ID: stream-2
        CSeq: 2 REGISTER
        L: 5

        hello
        """)
    /// Correctly framed, but without Call-ID.
    static let noCallID = wire(
        """
        OPTIONS sip:example.net SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs3
        From: <sip:a@example.net>;tag=3
        To: <sip:example.net>
        CSeq: 3 OPTIONS
        Content-Length: 0


        """)
    /// Correctly framed, CSeq method mismatch: answerable.
    static let mismatch = wire(
        """
        OPTIONS sip:example.net SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs4
        From: <sip:a@example.net>;tag=4
        To: <sip:example.net>
        Call-ID: stream-4
        CSeq: 4 INFO
        Content-Length: 0


        """)
    /// A body that holds an empty line and what looks like a start line.
    static let tricky = wire(
        """
        MESSAGE sip:bob@example.net SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKs5
        From: <sip:alice@example.net>;tag=5
        To: <sip:bob@example.net>
        Call-ID: stream-5
        CSeq: 5 MESSAGE
        Content-Length:   28  

        a

        SIP/2.0 200 OK

        b


        """)

    static func parsed(_ bytes: [UInt8]) -> FramerEvent {
        do { return .message(try SIPMessageParser().parse(bytes, framing: .stream)) } catch {
            Issue.record("fixture does not parse: \(error.reason)")
            return .keepAlive(pong: false)
        }
    }

    static let crlf = Array("\r\n".utf8)
    static let ping = Array("\r\n\r\n".utf8)

    @Test func messageBodiesHaveTheDeclaredLength() {
        #expect(Self.tricky.count - headerSectionLength(Self.tricky) == 28)
        #expect(Self.invite.count - headerSectionLength(Self.invite) == 10)
    }

    @Test func multiMessageStreamSurvivesEverySplit() {
        let stream =
            Self.ping + Self.invite + Self.crlf + Self.register + Self.ping + Self.ok + Self.ping + Self.crlf
            + Self.noCallID + Self.mismatch + Self.tricky + Self.ping
        let expected: [FramerEvent] = [
            .keepAlive(pong: true), Self.parsed(Self.invite), .keepAlive(pong: false), Self.parsed(Self.register),
            .keepAlive(pong: true), Self.parsed(Self.ok), .keepAlive(pong: true), .keepAlive(pong: false),
            .invalid(.missingHeader, "missing Call-ID", answerable: true),
            .invalid(.cseqMethodMismatch, "CSeq method INFO does not match request method OPTIONS", answerable: true),
            Self.parsed(Self.tricky), .keepAlive(pong: true),
        ]
        verifyEverySplit(stream, expected: expected)
        // The bodies came through intact.
        let events = frame([stream[...]])
        guard case .message(let invite) = events[1], case .message(let tricky) = events[10] else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(invite.body == Array("v=0\r\no=-\r\n".utf8))
        #expect(tricky.body == Array("a\r\n\r\nSIP/2.0 200 OK\r\n\r\nb\r\n\r\n".utf8))
    }

    @Test func incompleteInputWaits() {
        // A trailing partial message or a lone CRLF gives nothing until more bytes arrive.
        let stream = Self.register + Self.crlf + Array(Self.invite.dropLast(3))
        verifyEverySplit(stream, expected: [Self.parsed(Self.register), .keepAlive(pong: false)])
        verifyEverySplit(Array("\r\n\r".utf8), expected: [])
    }

    @Test func bareLineFeedKeepAlive() {
        verifyEverySplit(
            Array("\n".utf8) + Self.register, expected: [.keepAlive(pong: false), Self.parsed(Self.register)])
    }

    @Test func missingContentLengthIsAFramingError() {
        let noLength = wire(
            """
            OPTIONS sip:example.net SIP/2.0
            Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnl
            From: <sip:a@example.net>;tag=9
            To: <sip:example.net>
            Call-ID: no-length
            CSeq: 9 OPTIONS


            """)
        let stream = Self.register + Self.ping + noLength + Self.invite
        verifyEverySplit(
            stream,
            expected: [
                Self.parsed(Self.register), .keepAlive(pong: true),
                .framingError(.missingContentLength, "missing Content-Length on a stream transport", answerable: true),
            ])
    }

    @Test(arguments: [
        ("Content-Length: ten", "invalid Content-Length"),
        ("Content-Length: -1", "invalid Content-Length"),
        ("Content-Length: 99999999999", "invalid Content-Length"),
        ("Content-Length: 5\nl: 6", "invalid Content-Length"),
        ("Content-Length: 1 2", "invalid Content-Length"),
    ])
    func invalidContentLengthIsAFramingError(lines: String, reason: String) {
        let bad = wire(
            """
            OPTIONS sip:example.net SIP/2.0
            Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKbad
            From: <sip:a@example.net>;tag=9
            To: <sip:example.net>
            Call-ID: bad-length
            CSeq: 9 OPTIONS
            \(lines)

            hello
            """)
        verifyEverySplit(
            Self.invite + bad + Self.register,
            expected: [Self.parsed(Self.invite), .framingError(.invalidContentLength, reason, answerable: true)])
    }

    @Test func equalDuplicateContentLengthIsAnInvalidMessage() {
        let duplicate = wire(
            """
            OPTIONS sip:example.net SIP/2.0
            Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKdup
            From: <sip:a@example.net>;tag=9
            To: <sip:example.net>
            Call-ID: dup-length
            CSeq: 9 OPTIONS
            Content-Length: 2
            l: 2

            ok
            """)
        verifyEverySplit(
            duplicate + Self.register,
            expected: [
                .invalid(.invalidHeaderValue, "more than one Content-Length header", answerable: true),
                Self.parsed(Self.register),
            ])
    }

    @Test func headerSectionOverTheLimit() {
        var limits = SIPParserLimits()
        limits.maxMessageSize = 400
        let endless = Array("OPTIONS sip:example.net SIP/2.0\r\nX-Filler: ".utf8) + [UInt8](repeating: 0x61, count: 600)
        verifyEverySplit(
            Self.register + endless,
            expected: [
                Self.parsed(Self.register),
                .framingError(.messageTooLarge, "header section larger than 400 bytes", answerable: false),
            ], limits: limits)
    }

    @Test func bodyOverTheLimit() {
        var limits = SIPParserLimits()
        limits.maxMessageSize = 400
        let big =
            wire(
                """
                MESSAGE sip:bob@example.net SIP/2.0
                Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKbig
                From: <sip:alice@example.net>;tag=5
                To: <sip:bob@example.net>
                Call-ID: big
                CSeq: 5 MESSAGE
                Content-Length: 1000


                """) + [UInt8](repeating: 0x62, count: 1000)
        let headLength = headerSectionLength(big)
        verifyEverySplit(
            Self.register + big,
            expected: [
                Self.parsed(Self.register),
                .framingError(.messageTooLarge, "message of \(headLength + 1000) bytes exceeds 400", answerable: true),
            ], limits: limits)
    }

    @Test func strayCarriageReturn() {
        verifyEverySplit(
            Self.register + Array("\rX".utf8) + Self.register,
            expected: [
                Self.parsed(Self.register),
                .framingError(.malformedStartLine, "stray carriage return", answerable: false),
            ])
    }

    @Test func framingErrorCarriesReplyHeaders() throws {
        let noLength = wire(
            """
            REGISTER sip:example.net SIP/2.0
            Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnl
            From: <sip:69@example.net>;tag=9
            To: <sip:69@example.net>
            Call-ID: reply-me
            CSeq: 9 REGISTER


            """)
        var framer = SIPStreamFramer()
        let step = noLength.withUnsafeBytes { framer.next($0) }
        guard case .framingError(let error) = step else {
            Issue.record("expected a framing error, got \(step)")
            return
        }
        let reply = try #require(error.replyHeaders)
        #expect(reply.method == .register)
        let response = SIPResponse(answering: reply, statusCode: error.statusCode, reasonPhrase: error.reason)
        #expect(response.callID == "reply-me")
        #expect(response.statusCode == 400)
    }

    @Test func consumedCountsAddUp() {
        let stream = Self.ping + Self.invite + Self.crlf + Self.register
        var framer = SIPStreamFramer()
        var offset = 0
        var steps: [Int] = []
        while offset < stream.count {
            let step = stream[offset...].withUnsafeBytes { framer.next($0) }
            switch step {
            case .keepAlive(let consumed, _), .message(_, let consumed), .invalidMessage(_, let consumed):
                steps.append(consumed)
                offset += consumed
            default:
                Issue.record("unexpected step \(step)")
                return
            }
        }
        #expect(steps == [4, Self.invite.count, 2, Self.register.count])
    }
}
