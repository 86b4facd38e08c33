/// The CSeq header (RFC 3261 §20.16): a sequence number and the request method.
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    /// The sequence number, less than 2**31 (RFC 3261 §8.1.1.5).
    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    /// Parses `4711 INVITE`.
    public init(parsing text: Substring) throws(SIPParseError) {
        var cseq: SIPCSeq?
        var failure: SIPParseError?
        Lexer.withUTF8(text) { p in cseq = SIPCSeq.parse(p, 0, p.count, failure: &failure) }
        if let failure { throw failure }
        self = cseq.unsafelyUnwrapped
    }

    /// Parses the CSeq value `p[start..<end]`; nil (and `failure` set) when it is invalid.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, failure: inout SIPParseError?)
        -> SIPCSeq?
    {
        var lo = start
        var hi = end
        while lo < hi, Lexer.isLWS(p[lo]) { lo += 1 }
        while hi > lo, Lexer.isLWS(p[hi - 1]) { hi -= 1 }
        var space = lo
        while space < hi, !Lexer.isWhitespace(p[space]) { space += 1 }
        guard space < hi else {
            failure = SIPParseError(.invalidHeaderValue, "invalid CSeq")
            return nil
        }
        // Less than 2**31 (RFC 3261 §8.1.1.5).
        guard let number = Lexer.parseDecimal(p, lo, space, max: 0x7FFF_FFFF) else {
            failure = SIPParseError(.invalidHeaderValue, "invalid CSeq number")
            return nil
        }
        var methodStart = space
        while methodStart < hi, Lexer.isLWS(p[methodStart]) { methodStart += 1 }
        var i = methodStart
        while i < hi, Lexer.isToken(p[i]) { i += 1 }
        guard methodStart < hi, i == hi else {
            failure = SIPParseError(.invalidHeaderValue, "invalid CSeq method")
            return nil
        }
        return SIPCSeq(sequence: UInt32(number), method: SIPMethod.from(p, methodStart, hi))
    }

    public var description: String { "\(sequence) \(method.rawValue)" }
}
