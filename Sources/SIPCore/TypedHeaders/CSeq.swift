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
        let trimmed = Lexer.trim(text)
        let utf8 = trimmed.utf8
        guard let space = utf8.firstIndex(where: { Lexer.isWhitespace($0) }) else {
            throw SIPParseError(.invalidHeaderValue, "invalid CSeq")
        }
        guard let number = Lexer.parseDecimal(trimmed[trimmed.startIndex..<space], max: 0x7FFF_FFFF) else {
            throw SIPParseError(.invalidHeaderValue, "invalid CSeq number")
        }
        let method = Lexer.trim(trimmed[space...])
        guard Lexer.isToken(method) else { throw SIPParseError(.invalidHeaderValue, "invalid CSeq method") }
        self.sequence = UInt32(number)
        self.method = SIPMethod(String(method))
    }

    public var description: String { "\(sequence) \(method.rawValue)" }
}
