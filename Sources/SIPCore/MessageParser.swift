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
        var message: SIPMessage?
        var failure: SIPParseError?
        bytes.withUnsafeBytes { buffer in
            do throws(SIPParseError) { message = try parse(buffer, framing: framing) } catch { failure = error }
        }
        if let failure { throw failure }
        return message.take().unsafelyUnwrapped
    }

    /// Parses a message from `buffer`.
    public func parse(_ buffer: UnsafeRawBufferPointer, framing: Framing = .datagram) throws(SIPParseError)
        -> SIPMessage
    {
        var start = 0
        let count = buffer.count
        while start < count, buffer[start] == Lexer.cr || buffer[start] == Lexer.lf { start += 1 }
        guard start < count else { throw SIPParseError(.emptyMessage, "empty message") }
        // The bytes from the start line on, as far as a header section may reach; scanned in
        // place. Offsets into them are offsets into the header section's string.
        let p = UnsafeRawBufferPointer(rebasing: buffer[start..<min(count, limits.maxMessageSize)])
            .bindMemory(to: UInt8.self)
        var pending: SIPParseError?

        // One pass over the lines finds the header fields and the empty line that ends them
        // (RFC 3261 §7.3.1 folding included): one plain entry per field.
        // Which bytes the lines held: NUL? non-ASCII? (Summed up on the way; bytes just past the
        // header section may be counted too, so these are hints that the checks below confirm.)
        var seen = ByteSummary()
        let first = SIPMessageParser.line(p, from: 0, &seen)
        var headers = SIPHeaders(reservingCapacity: min(limits.maxHeaderCount, p.count / 32 + 8))
        var folded = false
        var census = HeaderCensus()
        var headEnd: Int?
        var bodyStart = count
        var position = first.next
        var lineNumber = 1
        while position < p.count {
            let lineStart = position
            var (lineEnd, next) = SIPMessageParser.line(p, from: position, &seen)
            lineNumber += 1
            if lineStart == lineEnd {
                // The empty line, when it ends with LF.
                guard p[next - 1] == Lexer.lf else { break }
                headEnd = lineStart
                bodyStart = start + next
                break
            }
            var isFolded = false
            while next < p.count, Lexer.isWhitespace(p[next]) {
                let continuation = SIPMessageParser.line(p, from: next, &seen)
                if continuation.end == next { break }
                lineEnd = continuation.end
                next = continuation.next
                isFolded = true
            }
            position = next
            if headers.count >= limits.maxHeaderCount {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxHeaderCount) header fields")
            }
            if lineEnd - lineStart > limits.maxHeaderLineLength {
                pending = pending ?? SIPParseError(
                    .limitExceeded, "header line \(lineNumber) longer than \(limits.maxHeaderLineLength) bytes")
                continue
            }
            // field-name [white space] ":" LWS value LWS
            var i = lineStart
            while i < lineEnd, Lexer.isToken(p[i]) { i += 1 }
            let nameEnd = i
            while i < lineEnd, Lexer.isWhitespace(p[i]) { i += 1 }
            guard nameEnd > lineStart, i < lineEnd, p[i] == Lexer.colon else {
                pending = pending ?? SIPParseError(.malformedHeader, "malformed header line \(lineNumber)")
                continue
            }
            var valueStart = i + 1
            while valueStart < lineEnd, Lexer.isLWS(p[valueStart]) { valueStart += 1 }
            var valueEnd = lineEnd
            while valueEnd > valueStart, Lexer.isLWS(p[valueEnd - 1]) { valueEnd -= 1 }
            let id = SIPHeaderName.wellKnownID(p, lineStart, nameEnd)
            census.count(id, at: headers.count)
            folded = folded || isFolded
            headers.appendParsed(
                SIPHeaders.Entry(
                    id: id, isCustom: false, isFolded: isFolded, lineStart: Int32(lineStart), nameEnd: Int32(nameEnd),
                    valueStart: Int32(valueStart), valueEnd: Int32(valueEnd), lineEnd: Int32(lineEnd)))
        }
        if headEnd == nil {
            if count > limits.maxMessageSize {
                throw SIPParseError(.messageTooLarge, "message larger than \(limits.maxMessageSize) bytes")
            }
            // No empty line: parse what there is so the error can still be answered.
            pending = SIPParseError(.malformedHeader, "no empty line after the header section")
        }
        if count - start > limits.maxMessageSize {
            pending = pending ?? SIPParseError(
                .messageTooLarge, "message of \(count - start) bytes exceeds \(limits.maxMessageSize)")
        }

        // One string holds the header section; every header value is a range of it.
        let head = UnsafeBufferPointer(rebasing: p[0..<(headEnd ?? p.count)])
        let (hasZero, isASCII) = (seen.mayHoldZero, seen.isASCII)
        let text: String
        if isASCII {
            // ASCII is valid UTF-8: no validation to do (and no generic validation path to take).
            text = String(decoding: head, as: UTF8.self)
        } else if let valid = String(validating: head, as: UTF8.self) {
            text = valid
        } else {
            // Same length, so that offsets still match; the message is refused anyway.
            text = String(decoding: head.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            pending = pending ?? SIPParseError(.invalidEncoding, "header section is not valid UTF-8")
        }
        // A NUL is legal only as an escaped character inside a quoted string (RFC 3261 §25.1).
        if hasZero, !Lexer.nulBytesAreQuotedPairs(UnsafeRawBufferPointer(head)) {
            pending = pending ?? SIPParseError(.invalidEncoding, "NUL byte in header section")
        }
        headers.text = text
        // Folded lines get their value unfolded, as a field of its own.
        if folded {
            for index in headers.indices where headers.entry(index).isFolded {
                let entry = headers.entry(index)
                let rawName = SIPHeaders.slice(text, entry.lineStart, entry.nameEnd)
                let name = entry.id != 0 ? SIPHeaderName.byID[Int(entry.id)] : SIPHeaderName.resolve(rawName)
                let value = SIPMessageParser.unfold(SIPHeaders.slice(text, entry.valueStart, entry.valueEnd))
                let custom = headers.addCustom(
                    SIPHeaderField(
                        rawName: rawName, value: Substring(value), name: name,
                        line: SIPHeaders.slice(text, entry.lineStart, entry.lineEnd)))
                headers.setEntry(index, custom)
            }
        }

        // The start line, taken apart once (it is large; copies of it cost).
        var method: SIPMethod?
        var uri: SIPURI?
        var faults = StartLine.RequestLineFaults()
        var status = 0
        var reason = ""
        var statusVersionError: SIPParseError?
        switch try StartLine.parse(head, 0, min(first.end, head.count), text: text, limits: limits) {
        case .request(let m, let u, let f):
            method = m
            uri = u
            faults = f
        case .response(let s, let r, let v):
            status = s
            reason = r
            statusVersionError = v
        }

        // Computed only on the error path: a message that parses never needs them.
        func fail(_ error: SIPParseError) -> SIPParseError {
            var error = error
            error.replyHeaders = method.flatMap { SIPMessageParser.replyHeaders($0, headers, limits: limits) }
            return error
        }
        /// Calls `body` with the bytes of the value of field `index`.
        func withValue<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> R) -> R {
            let entry = headers.entry(index)
            if entry.isCustom {
                return headers.withValueBytes(at: index) { value, _, _ in body(value, 0, value.count) }
            }
            return body(p, Int(entry.valueStart), Int(entry.valueEnd))
        }

        // Faults of the request line first: the most basic (400), then the version (505), also
        // when the top Via names another version (RFC 3261 §8.2.2 ff., RFC 4475 §3.1.2.16).
        if method != nil {
            if let lineError = faults.lineError { throw fail(lineError) }
            if let versionError = faults.versionError { throw fail(versionError) }
            if census.viaIndex >= 0, withValue(census.viaIndex, SIPVia.namesOtherVersion) {
                throw fail(SIPVia.unsupportedVersion)
            }
        }
        if let pending { throw fail(pending) }

        // Mandatory headers (RFC 3261 §8.1.1) and single-value headers.
        if let missing = census.firstMissing {
            throw fail(SIPParseError(.missingHeader, "missing \(missing.canonical)"))
        }
        if let repeated = census.firstRepeated {
            throw fail(SIPParseError(.invalidHeaderValue, "more than one \(repeated.canonical) header"))
        }
        var cseqError: SIPParseError?
        guard let cseq = withValue(census.cseqIndex, { SIPCSeq.parse($0, $1, $2, failure: &cseqError) }) else {
            throw fail(cseqError.unsafelyUnwrapped)
        }
        if withValue(census.callIDIndex, { _, start, end in start == end }) {
            throw fail(SIPParseError(.invalidHeaderValue, "empty Call-ID"))
        }
        if census.maxForwardsIndex >= 0,
            withValue(census.maxForwardsIndex, { Lexer.parseDecimal($0, $1, $2, max: 255) }) == nil
        {
            throw fail(SIPParseError(.invalidHeaderValue, "invalid Max-Forwards"))
        }

        // Content-Length and body (RFC 3261 §18.3, §20.14).
        let available = buffer.count - bodyStart
        var bodyLength = available
        if census.contentLengthIndex >= 0 {
            let length = withValue(census.contentLengthIndex) { Lexer.parseDecimal($0, $1, $2, max: UInt64(Int32.max)) }
            guard let length else {
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

        guard let method else {
            if let statusVersionError { throw statusVersionError }
            return .response(SIPResponse(statusCode: status, reasonPhrase: reason, headers: headers, body: body))
        }
        if let uriError = faults.uriError { throw fail(uriError) }
        if cseq.method != method {
            throw fail(SIPParseError(
                .cseqMethodMismatch,
                "CSeq method \(cseq.method.rawValue) does not match request method \(method.rawValue)"))
        }
        return .request(SIPRequest(method: method, uri: uri.take().unsafelyUnwrapped, headers: headers, body: body))
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

    /// What the scanned bytes held, summed up eight bytes at a time.
    struct ByteSummary {
        /// The high bit of a byte is set where a scanned byte was zero.
        var zeros: UInt64 = 0
        /// Every scanned byte, OR-ed.
        var bits: UInt64 = 0
        var mayHoldZero: Bool { zeros & 0x8080_8080_8080_8080 != 0 }
        var isASCII: Bool { bits & 0x8080_8080_8080_8080 == 0 }
    }

    /// The line that starts at `from`: its end before CR LF and the start of the next line (just
    /// after its LF, or `p.count` when it has none). Adds the bytes it reads to `seen`.
    @inline(__always)
    static func line(_ p: UnsafeBufferPointer<UInt8>, from: Int, _ seen: inout ByteSummary) -> (end: Int, next: Int) {
        let n = p.count
        var i = from
        // Eight bytes at a time to the next LF.
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self))
            seen.zeros |= ~Lexer.nonZeroBytes(word)
            seen.bits |= word
            let lfs = ~Lexer.nonZeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A) & 0x8080_8080_8080_8080
            if lfs != 0 {
                i += lfs.trailingZeroBitCount / 8
                break
            }
            i += 8
        }
        while i < n, p[i] != Lexer.lf {
            seen.zeros |= p[i] == 0 ? 0x80 : 0
            seen.bits |= UInt64(p[i])
            i += 1
        }
        var end = i
        if end > from, p[end - 1] == Lexer.cr { end -= 1 }
        return (end, min(i + 1, n))
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
    static func replyHeaders(_ method: SIPMethod, _ headers: SIPHeaders, limits: SIPParserLimits) -> SIPReplyHeaders? {
        var method = method
        guard let viaIndex = headers.firstIndex(of: .via),
            SIPVia.isUsableTop(headers.value(at: viaIndex), limits: limits)
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
    var viaIndex = -1, cseqIndex = -1, callIDIndex = -1, maxForwardsIndex = -1, contentLengthIndex = -1

    /// Counts a field whose name has ``SIPHeaderName/id`` `id` (the ids are literals here, so
    /// counting reads no global).
    @inline(__always)
    mutating func count(_ id: UInt8, at index: Int) {
        switch id {
        case 1:  // via
            if via == 0 { viaIndex = index }
            via += 1
        case 2: from += 1  // From
        case 3: to += 1  // To
        case 4:  // callID
            if callID == 0 { callIDIndex = index }
            callID += 1
        case 5:  // cseq
            if cseq == 0 { cseqIndex = index }
            cseq += 1
        case 6:  // maxForwards
            if maxForwards == 0 { maxForwardsIndex = index }
            maxForwards += 1
        case 28:  // contentLength
            if contentLength == 0 { contentLengthIndex = index }
            contentLength += 1
        case 27: contentType += 1  // Content-Type
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
