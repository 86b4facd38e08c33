/// A message or header that could not be parsed, saying what was wrong and where.
///
/// `description` is a short, safe text (ASCII, no CR/LF, bounded) that a server may use as the
/// reason phrase of a 400 response (RFC 3261 §21.4.1). It never repeats credentials.
///
/// A request whose method can be read and whose top Via is usable is answerable (RFC 3261
/// §8.2.2 ff.): ``replyHeaders`` holds every Via line and whichever of From, To, Call-ID and CSeq
/// are present and usable (§8.2.6.2), ``isAnswerable`` is true, and the transport answers with
/// ``statusCode`` (400; 505 for a SIP-Version other than SIP/2.0 in the request line or the top
/// Via; 416, 513) and ``reason`` as the reason phrase, which names the fault ("missing Call-ID",
/// "invalid CSeq number", "extra white space in the request line"). A response, or a request
/// without a usable Via, cannot be answered: it is dropped and counted.
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of error. New kinds may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: Sendable, Hashable {
            case emptyMessage
            case malformedStartLine
            case unsupportedVersion
            case malformedHeader
            case missingHeader
            case invalidHeaderValue
            case cseqMethodMismatch
            case invalidContentLength
            case truncatedBody
            case missingContentLength
            case invalidURI
            case unsupportedURIScheme
            case invalidEncoding
            case limitExceeded
            case messageTooLarge
        }
        let base: Base
        public static let emptyMessage = Code(base: .emptyMessage)
        public static let malformedStartLine = Code(base: .malformedStartLine)
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        public static let malformedHeader = Code(base: .malformedHeader)
        public static let missingHeader = Code(base: .missingHeader)
        public static let invalidHeaderValue = Code(base: .invalidHeaderValue)
        public static let cseqMethodMismatch = Code(base: .cseqMethodMismatch)
        public static let invalidContentLength = Code(base: .invalidContentLength)
        public static let truncatedBody = Code(base: .truncatedBody)
        public static let missingContentLength = Code(base: .missingContentLength)
        public static let invalidURI = Code(base: .invalidURI)
        public static let unsupportedURIScheme = Code(base: .unsupportedURIScheme)
        public static let invalidEncoding = Code(base: .invalidEncoding)
        public static let limitExceeded = Code(base: .limitExceeded)
        /// The whole message is larger than ``SIPParserLimits/maxMessageSize``.
        public static let messageTooLarge = Code(base: .messageTooLarge)
        public var description: String { "\(base)" }
    }

    /// The kind of error.
    public var code: Code
    /// What was wrong and where, e.g. "missing Call-ID". Safe to use as a reason phrase.
    public var reason: String
    /// Headers to copy into an error response, when the input was a request parsed far enough.
    public var replyHeaders: SIPReplyHeaders?

    public init(_ code: Code, _ reason: String, replyHeaders: SIPReplyHeaders? = nil) {
        self.code = code
        self.reason = Self.sanitize(reason)
        self.replyHeaders = replyHeaders
    }

    /// True when a response can be sent: the input was a request with a readable method and a
    /// usable top Via.
    public var isAnswerable: Bool { replyHeaders != nil }

    /// The status code to answer with: 505 for an unsupported SIP-Version (in the request line or
    /// the top Via), 416 for an unsupported Request-URI scheme, 513 Message Too Large for a
    /// message over the size limit (RFC 3261 §21.5.14), 400 otherwise (RFC 3261 §21.4.1).
    public var statusCode: Int {
        switch code.base {
        case .unsupportedVersion: return 505
        case .unsupportedURIScheme: return 416
        case .messageTooLarge: return 513
        default: return 400
        }
    }

    public var description: String { reason }

    /// Reason phrases are TEXT-UTF8 without CR/LF; keep them printable ASCII and short.
    static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, 120))
        for scalar in text.unicodeScalars {
            if out.utf8.count >= 120 { out += "..."; break }
            if scalar.value >= 0x20 && scalar.value < 0x7F { out.unicodeScalars.append(scalar) } else { out += "?" }
        }
        return out
    }
}

/// The header fields of a request that a response must copy (RFC 3261 §8.2.6.2), kept from a
/// request that failed to parse so that it can still be answered.
public struct SIPReplyHeaders: Sendable, Hashable {
    /// The request's method, from its start line (ACK when the CSeq says ACK: never answered).
    public var method: SIPMethod
    /// Every Via field, and From, To, Call-ID and CSeq when present and usable, in their
    /// original order. A reply to a request that failed to parse may lack any but Via.
    public var fields: [SIPHeaderField]

    public init(method: SIPMethod, fields: [SIPHeaderField]) {
        self.method = method
        self.fields = fields
    }
}
