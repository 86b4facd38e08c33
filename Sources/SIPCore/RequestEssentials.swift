/// The header values every request carries (RFC 3261 §8.1.1), parsed once when the request
/// arrives and carried with it from the transport to the response: the top Via, From, To,
/// Call-ID, CSeq and Max-Forwards.
///
/// The transport builds it right after the message parse (and adds `received`/`rport` to
/// ``topVia``, §18.2.1); the transaction layer keys the server transaction on it (§17.2.3), the
/// response is routed with it (§18.2.2) and the request processors read From/To/CSeq from it
/// instead of parsing those headers again.
///
/// A request whose essentials cannot be parsed is answered 400 with a reason phrase that names
/// the faulty header, when its top Via is usable (§8.2.2 ff.); without a usable Via it cannot be
/// answered and is dropped.
public struct SIPRequestEssentials: Sendable {
    /// The top Via value (with `received`/`rport` once the transport stamped it).
    public var topVia: SIPVia
    /// Index in the request's header fields of the Via line holding the top value.
    public var topViaFieldIndex: Int
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    /// Call-ID, trimmed (RFC 3261 §20.8).
    public var callID: String
    public var cseq: SIPCSeq
    /// Max-Forwards (RFC 3261 §20.22); nil when absent.
    public var maxForwards: Int?

    public init(
        topVia: SIPVia, topViaFieldIndex: Int, from: SIPNameAddress, to: SIPNameAddress, callID: String, cseq: SIPCSeq,
        maxForwards: Int?
    ) {
        self.topVia = topVia
        self.topViaFieldIndex = topViaFieldIndex
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.maxForwards = maxForwards
    }

    /// Why the essentials of a request could not be parsed.
    public enum Failure: Error, Sendable {
        /// There is no usable top Via: the request cannot be answered (§18.2.2 needs it).
        /// With `statusCode` 505 (a Via naming another SIP version) the Via line is still
        /// copied into the response, so it may be answered.
        case unusableVia(SIPParseError)
        /// The Via is usable but another essential header is missing or malformed: answer 400
        /// with the error's reason. The parsed top Via is given for routing the answer.
        case invalid(SIPParseError, topVia: SIPVia)
    }

    /// Parses the essentials of `request`.
    public init(parsing request: SIPRequest, limits: SIPParserLimits = .default) throws(Failure) {
        let headers = request.headers
        var viaIndex: Int?
        for index in headers.indices where headers[index].name == .via {
            viaIndex = index
            break
        }
        guard let viaIndex else { throw .unusableVia(SIPParseError(.missingHeader, "Missing Via")) }
        let via: SIPVia
        do { via = try SIPVia(parsing: Self.topValue(of: headers[viaIndex].value), limits: limits) } catch {
            throw .unusableVia(error)
        }
        do throws(SIPParseError) {
            let from = try Self.address(headers, .from, limits: limits)
            let to = try Self.address(headers, .to, limits: limits)
            guard let callIDValue = headers[.callID] else { throw SIPParseError(.missingHeader, "Missing Call-ID") }
            let callID = Lexer.trim(callIDValue)
            guard !callID.isEmpty, callID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw SIPParseError(.invalidHeaderValue, "Invalid Call-ID")
            }
            guard let cseqValue = headers[.cseq] else { throw SIPParseError(.missingHeader, "Missing CSeq") }
            let cseq: SIPCSeq
            do { cseq = try SIPCSeq(parsing: cseqValue) } catch {
                throw SIPParseError(.invalidHeaderValue, "Invalid CSeq: \(error.reason)")
            }
            guard cseq.method == request.method else {
                throw SIPParseError(.cseqMethodMismatch, "CSeq method does not match the request method")
            }
            var maxForwards: Int?
            if let value = headers[.maxForwards] {
                guard let number = Lexer.parseDecimal(Lexer.trim(value), max: 255) else {
                    throw SIPParseError(.invalidHeaderValue, "Invalid Max-Forwards")
                }
                maxForwards = Int(number)
            }
            self.init(
                topVia: via, topViaFieldIndex: viaIndex, from: from, to: to, callID: String(callID), cseq: cseq,
                maxForwards: maxForwards)
        } catch {
            throw .invalid(error, topVia: via)
        }
    }

    /// The first value of a Via line (up to the first comma outside quotes).
    public static func topValue(of value: Substring) -> Substring {
        var inQuotes = false
        var escaped = false
        let utf8 = value.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if escaped {
                escaped = false
            } else if inQuotes, byte == Lexer.backslash {
                escaped = true
            } else if byte == Lexer.quote {
                inQuotes.toggle()
            } else if byte == Lexer.comma, !inQuotes {
                return value[value.startIndex..<index]
            }
            index = utf8.index(after: index)
        }
        return value
    }

    private static func address(_ headers: SIPHeaders, _ name: SIPHeaderName, limits: SIPParserLimits)
        throws(SIPParseError) -> SIPNameAddress
    {
        var found: SIPHeaderField?
        for field in headers.fields where field.name == name {
            guard found == nil else { throw SIPParseError(.malformedHeader, "More than one \(name.canonical) header") }
            found = field
        }
        guard let field = found else { throw SIPParseError(.missingHeader, "Missing \(name.canonical)") }
        let address: SIPNameAddress
        do { address = try SIPNameAddress(parsing: field.value, limits: limits) } catch {
            throw SIPParseError(error.code, "Invalid \(name.canonical): \(error.reason)")
        }
        var tags = 0
        for parameter in address.parameters where Lexer.equalsIgnoringCase(parameter.name, "tag") { tags += 1 }
        if tags > 1 { throw SIPParseError(.invalidHeaderValue, "Invalid \(name.canonical): more than one tag") }
        if address.uri.scheme != .tel, address.uri.user?.isEmpty == true {
            throw SIPParseError(.invalidURI, "Invalid \(name.canonical): empty user part")
        }
        return address
    }
}
