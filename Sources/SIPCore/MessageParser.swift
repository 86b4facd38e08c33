/// Parses one SIP message from bytes (RFC 3261 §7, §18.3, §25).
///
/// The parser is strict where the RFC is (the request line's single spaces, mandatory headers,
/// CSeq below 2**31 and naming the request's method, Content-Length, a single value for
/// single-value headers, SIP/2.0 in the request line and the top Via, NUL only as an escaped
/// character in a quoted string) and tolerant where deployed software differs (bare LF line
/// endings, leading CRLFs, compact forms, folded header lines, any case in the SIP-Version).
/// A request that breaks a rule is answered when it can be (see ``SIPParseError``): faults of
/// the request line first, then the SIP version, the header section, the mandatory headers,
/// CSeq, Call-ID, Max-Forwards, Content-Length, the Request-URI and the CSeq method. The RFC 4475
/// torture messages are the test corpus (`Tests/SIPCoreTests/Fixtures/rfc4475`).
/// Header values are views into one string made from the header section, so a parse costs a
/// handful of allocations whatever the number of headers; typed headers are parsed on demand.
public struct SIPMessageParser: Sendable {
    /// How the message was delimited.
    public enum Framing: Sendable, Hashable {
        /// One UDP datagram: without Content-Length the body is the rest of the datagram;
        /// bytes beyond Content-Length are discarded (RFC 3261 §18.3).
        case datagram
        /// One frame cut from a stream by ``SIPStreamFramer``: Content-Length is mandatory.
        case stream
    }

    public var limits: SIPParserLimits

    public init(limits: SIPParserLimits = .default) {
        self.limits = limits
    }

    /// Parses a message from `bytes`.
    public func parse(_ bytes: [UInt8], framing: Framing = .datagram) throws(SIPParseError) -> SIPMessage {
        do {
            return try bytes.withUnsafeBytes { buffer in try parse(buffer, framing: framing) }
        } catch let error as SIPParseError {
            throw error
        } catch {
            throw SIPParseError(.malformedStartLine, "unparseable message")
        }
    }

    /// Parses a message from `buffer`.
    public func parse(_ buffer: UnsafeRawBufferPointer, framing: Framing = .datagram) throws(SIPParseError)
        -> SIPMessage
    {
        var start = 0
        let count = buffer.count
        while start < count, buffer[start] == Lexer.cr || buffer[start] == Lexer.lf { start += 1 }
        guard start < count else { throw SIPParseError(.emptyMessage, "empty message") }

        let searchEnd = min(count, limits.maxMessageSize)
        let located = SIPMessageParser.locateHeaderEnd(buffer, from: start, to: searchEnd)
        let headEnd: Int
        let bodyStart: Int
        var pending: SIPParseError?
        if let located {
            headEnd = located.headEnd
            bodyStart = located.bodyStart
        } else if count > limits.maxMessageSize {
            throw SIPParseError(.messageTooLarge, "message larger than \(limits.maxMessageSize) bytes")
        } else {
            // No empty line: parse what there is so the error can still be answered.
            headEnd = count
            bodyStart = count
            pending = SIPParseError(.malformedHeader, "no empty line after the header section")
        }
        if count - start > limits.maxMessageSize {
            pending = pending ?? SIPParseError(
                .messageTooLarge, "message of \(count - start) bytes exceeds \(limits.maxMessageSize)")
        }

        let headBytes = UnsafeRawBufferPointer(rebasing: buffer[start..<headEnd])
        var head: String
        if let valid = String(validating: headBytes.bindMemory(to: UInt8.self), as: UTF8.self) {
            head = valid
        } else {
            head = String(decoding: headBytes, as: UTF8.self)
            pending = pending ?? SIPParseError(.invalidEncoding, "header section is not valid UTF-8")
        }
        // A NUL is legal only as an escaped character inside a quoted string (RFC 3261 §25.1).
        if headBytes.contains(0), !Lexer.nulBytesAreQuotedPairs(headBytes) {
            pending = pending ?? SIPParseError(.invalidEncoding, "NUL byte in header section")
        }
        head.makeContiguousUTF8()
        return try parseHead(head, buffer: buffer, bodyStart: bodyStart, framing: framing, pending: pending)
    }

    /// Finds the empty line that ends the header section. `headEnd` is the offset just after the
    /// last header line's LF; `bodyStart` the offset after the empty line.
    static func locateHeaderEnd(_ buffer: UnsafeRawBufferPointer, from: Int, to: Int) -> (
        headEnd: Int, bodyStart: Int
    )? {
        var i = from
        while i < to {
            // Skip to the next LF eight bytes at a time.
            if i + 8 <= to {
                let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let lfs = ~Lexer.nonZeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A) & 0x8080_8080_8080_8080
                if lfs == 0 {
                    i += 8
                    continue
                }
                i += lfs.trailingZeroBitCount / 8
            }
            if buffer[i] == Lexer.lf {
                let next = i + 1
                if next < to, buffer[next] == Lexer.lf { return (next, next + 1) }
                if next + 1 < to, buffer[next] == Lexer.cr, buffer[next + 1] == Lexer.lf { return (next, next + 2) }
            }
            i += 1
        }
        return nil
    }

    private struct LineSpan {
        var start: Int
        var end: Int  // exclusive, before CR LF
        var next: Int  // start of the next line
    }

    private func parseHead(
        _ head: String, buffer: UnsafeRawBufferPointer, bodyStart: Int, framing: Framing, pending: SIPParseError?
    ) throws(SIPParseError) -> SIPMessage {
        let utf8 = head.utf8
        func sub(_ a: Int, _ b: Int) -> Substring {
            let lo = utf8.index(utf8.startIndex, offsetBy: a)
            let hi = utf8.index(lo, offsetBy: b - a)
            return Substring(utf8[lo..<hi])
        }
        var result: Result<SIPMessage, SIPParseError>!
        utf8.withContiguousStorageIfAvailable { p in
            result = Result(catching: { () throws(SIPParseError) -> SIPMessage in
                try parseLines(p, head: head, sub: sub, buffer: buffer, bodyStart: bodyStart, framing: framing, pending: pending)
            })
        }
        return try result.get()
    }

    private func nextLine(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> LineSpan {
        var i = from
        let n = p.count
        while i < n, p[i] != Lexer.lf { i += 1 }
        var end = i
        if end > from, p[end - 1] == Lexer.cr { end -= 1 }
        return LineSpan(start: from, end: end, next: min(i + 1, n))
    }

    private func parseLines(
        _ p: UnsafeBufferPointer<UInt8>, head: String, sub: (Int, Int) -> Substring, buffer: UnsafeRawBufferPointer,
        bodyStart: Int, framing: Framing, pending: SIPParseError?
    ) throws(SIPParseError) -> SIPMessage {
        var pending = pending
        let first = nextLine(p, from: 0)
        let startLine = try StartLine.parse(p, first.start, first.end, sub: sub, limits: limits)

        // Header lines, with folding (RFC 3261 §7.3.1).
        let lineCount = Lexer.count(Lexer.lf, in: p)
        var headers = SIPHeaders(reservingCapacity: min(lineCount, limits.maxHeaderCount))
        var position = first.next
        var lineNumber = 1
        while position < p.count {
            var line = nextLine(p, from: position)
            lineNumber += 1
            if line.start == line.end { break }
            var folded = false
            while line.next < p.count, p[line.next] == Lexer.space || p[line.next] == Lexer.tab {
                let continuation = nextLine(p, from: line.next)
                if continuation.start == continuation.end { break }
                line.end = continuation.end
                line.next = continuation.next
                folded = true
            }
            position = line.next
            if headers.count >= limits.maxHeaderCount {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxHeaderCount) header fields")
            }
            if line.end - line.start > limits.maxHeaderLineLength {
                pending = pending ?? SIPParseError(
                    .limitExceeded, "header line \(lineNumber) longer than \(limits.maxHeaderLineLength) bytes")
                continue
            }
            guard let field = headerField(p, head: head, line, folded: folded, sub: sub) else {
                pending = pending ?? SIPParseError(.malformedHeader, "malformed header line \(lineNumber)")
                continue
            }
            headers.append(field)
        }

        // Computed only on the error path: a message that parses never needs them.
        func fail(_ error: SIPParseError) -> SIPParseError {
            var error = error
            error.replyHeaders = SIPMessageParser.replyHeaders(startLine, headers, limits: limits)
            return error
        }

        // Faults of the request line first: the most basic (400), then the version (505), also
        // when the top Via names another version (RFC 3261 §8.2.2 ff., RFC 4475 §3.1.2.16).
        var requestLine: (method: SIPMethod, uri: SIPURI?, faults: StartLine.RequestLineFaults)?
        if case .request(let method, let uri, let faults) = startLine {
            requestLine = (method, uri, faults)
            if let lineError = faults.lineError { throw fail(lineError) }
            if let versionError = faults.versionError { throw fail(versionError) }
            if let index = headers.firstIndex(of: .via),
                let viaVersionError = SIPVia.versionError(headers.fields[index].value)
            {
                throw fail(viaVersionError)
            }
        }
        if let pending { throw fail(pending) }

        // Mandatory headers (RFC 3261 §8.1.1) and single-value headers, counted in one pass.
        var census = HeaderCensus()
        for index in headers.fields.indices { census.count(headers.fields[index].name, at: index) }
        if let missing = census.firstMissing {
            throw fail(SIPParseError(.missingHeader, "missing \(missing.canonical)"))
        }
        if let repeated = census.firstRepeated {
            throw fail(SIPParseError(.invalidHeaderValue, "more than one \(repeated.canonical) header"))
        }
        let cseq: SIPCSeq
        do { cseq = try SIPCSeq(parsing: headers.fields[census.cseqIndex].value) } catch { throw fail(error) }
        if Lexer.trim(headers.fields[census.callIDIndex].value).isEmpty {
            throw fail(SIPParseError(.invalidHeaderValue, "empty Call-ID"))
        }
        if census.maxForwardsIndex >= 0,
            Lexer.parseDecimal(Lexer.trim(headers.fields[census.maxForwardsIndex].value), max: 255) == nil
        {
            throw fail(SIPParseError(.invalidHeaderValue, "invalid Max-Forwards"))
        }

        // Content-Length and body (RFC 3261 §18.3, §20.14).
        let available = buffer.count - bodyStart
        var bodyLength = available
        if census.contentLengthIndex >= 0 {
            let text = headers.fields[census.contentLengthIndex].value
            guard let length = Lexer.parseDecimal(Lexer.trim(text), max: UInt64(Int32.max)) else {
                throw fail(SIPParseError(.invalidContentLength, "invalid Content-Length"))
            }
            if Int(length) > available {
                throw fail(SIPParseError(
                    .truncatedBody, "Content-Length \(length) exceeds \(available) available bytes"))
            }
            bodyLength = Int(length)
        } else if framing == .stream {
            throw fail(SIPParseError(.missingContentLength, "missing Content-Length on a stream transport"))
        }
        let body: [UInt8] =
            bodyLength == 0 ? [] : Array(UnsafeRawBufferPointer(rebasing: buffer[bodyStart..<bodyStart + bodyLength]))

        if let (method, uri, faults) = requestLine {
            if let uriError = faults.uriError { throw fail(uriError) }
            if cseq.method != method {
                throw fail(SIPParseError(
                    .cseqMethodMismatch,
                    "CSeq method \(cseq.method.rawValue) does not match request method \(method.rawValue)"))
            }
            return .request(SIPRequest(method: method, uri: uri!, headers: headers, body: body))
        }
        guard case .response(let status, let reason, let versionError) = startLine else {
            preconditionFailure("a start line is a request line or a status line")
        }
        if let versionError { throw versionError }
        return .response(SIPResponse(statusCode: status, reasonPhrase: reason, headers: headers, body: body))
    }

    /// Splits one (possibly folded) header line into a field. Returns nil when the line has no
    /// colon or its name is not a token.
    private func headerField(
        _ p: UnsafeBufferPointer<UInt8>, head: String, _ line: LineSpan, folded: Bool, sub: (Int, Int) -> Substring
    )
        -> SIPHeaderField?
    {
        var i = line.start
        while i < line.end, Lexer.isToken(p[i]) { i += 1 }
        let nameEnd = i
        guard nameEnd > line.start else { return nil }
        while i < line.end, Lexer.isWhitespace(p[i]) { i += 1 }
        guard i < line.end, p[i] == Lexer.colon else { return nil }
        i += 1
        var valueStart = i
        while valueStart < line.end, Lexer.isLWS(p[valueStart]) { valueStart += 1 }
        var valueEnd = line.end
        while valueEnd > valueStart, Lexer.isLWS(p[valueEnd - 1]) { valueEnd -= 1 }
        let name = SIPHeaderName.wellKnown(p, line.start, nameEnd) ?? SIPHeaderName.resolve(sub(line.start, nameEnd))
        if folded {
            let value = Substring(SIPMessageParser.unfold(sub(valueStart, valueEnd)))
            return SIPHeaderField(
                rawName: sub(line.start, nameEnd), value: value, name: name, line: sub(line.start, line.end))
        }
        return SIPHeaderField(
            name: name, text: head, lineStart: line.start, lineEnd: line.end, nameEnd: nameEnd,
            valueStart: valueStart, valueEnd: valueEnd)
    }

    /// Replaces each run of LWS containing a line break by a single space (RFC 3261 §7.3.1).
    static func unfold(_ value: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var inBreak = false
        for byte in value.utf8 {
            if byte == Lexer.cr || byte == Lexer.lf {
                inBreak = true
                continue
            }
            if inBreak {
                if Lexer.isWhitespace(byte) { continue }
                while let last = bytes.last, Lexer.isWhitespace(last) { bytes.removeLast() }
                bytes.append(Lexer.space)
                inBreak = false
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The fields needed to answer a request that failed to parse (RFC 3261 §8.2.6.2), or nil
    /// when it cannot be answered: a response, or a request without a usable top Via (one that
    /// parses, or that fails only because it names another SIP version, answered with 505).
    ///
    /// Every Via line is kept, in order, so that the answer can be routed; From, To, Call-ID and
    /// CSeq are kept when present and usable (the first of each when repeated). The method is the
    /// request line's, or ACK when the CSeq says ACK: an ACK is never answered.
    static func replyHeaders(_ startLine: StartLine, _ headers: SIPHeaders, limits: SIPParserLimits) -> SIPReplyHeaders? {
        guard case .request(var method, _, _) = startLine else { return nil }
        guard let viaIndex = headers.firstIndex(of: .via), SIPVia.isUsableTop(headers.fields[viaIndex].value, limits: limits)
        else { return nil }
        var fields: [SIPHeaderField] = []
        var found: Set<SIPHeaderName> = []
        for field in headers.fields {
            switch field.name {
            case .via:
                fields.append(field)
            case .from, .to, .callID, .cseq:
                guard !found.contains(field.name) else { continue }
                found.insert(field.name)
                switch field.name {
                case .from, .to:
                    guard (try? SIPNameAddress(parsing: field.value, limits: limits)) != nil else { continue }
                case .callID:
                    guard !Lexer.trim(field.value).isEmpty else { continue }
                default:
                    guard let cseq = try? SIPCSeq(parsing: field.value) else { continue }
                    if cseq.method == .ack { method = .ack }
                }
                fields.append(field)
            default: continue
            }
        }
        return SIPReplyHeaders(method: method, fields: fields)
    }
}

/// How often the headers the parser itself checks occur, and where each first occurs.
private struct HeaderCensus {
    var via = 0, from = 0, to = 0, callID = 0, cseq = 0, maxForwards = 0, contentLength = 0, contentType = 0
    var cseqIndex = -1, callIDIndex = -1, maxForwardsIndex = -1, contentLengthIndex = -1

    mutating func count(_ name: SIPHeaderName, at index: Int) {
        switch name.id {
        case SIPHeaderName.via.id: via += 1
        case SIPHeaderName.from.id: from += 1
        case SIPHeaderName.to.id: to += 1
        case SIPHeaderName.callID.id:
            if callID == 0 { callIDIndex = index }
            callID += 1
        case SIPHeaderName.cseq.id:
            if cseq == 0 { cseqIndex = index }
            cseq += 1
        case SIPHeaderName.maxForwards.id:
            if maxForwards == 0 { maxForwardsIndex = index }
            maxForwards += 1
        case SIPHeaderName.contentLength.id:
            if contentLength == 0 { contentLengthIndex = index }
            contentLength += 1
        case SIPHeaderName.contentType.id: contentType += 1
        default: break
        }
    }

    /// The first absent mandatory header (RFC 3261 §8.1.1), in the order Via, From, To, Call-ID, CSeq.
    var firstMissing: SIPHeaderName? {
        if via == 0 { return .via }
        if from == 0 { return .from }
        if to == 0 { return .to }
        if callID == 0 { return .callID }
        if cseq == 0 { return .cseq }
        return nil
    }

    /// The first header that may appear once only but appears more often.
    var firstRepeated: SIPHeaderName? {
        if from > 1 { return .from }
        if to > 1 { return .to }
        if callID > 1 { return .callID }
        if cseq > 1 { return .cseq }
        if maxForwards > 1 { return .maxForwards }
        if contentLength > 1 { return .contentLength }
        if contentType > 1 { return .contentType }
        return nil
    }
}
