/// An instrument id as an operator types it (`switchboard registrations --instrument …`,
/// `switchboard logs --instrument …`, the admin API's `instrument=` parameter).
///
/// ``SIPInstrumentID/init(_:)`` accepts any token, since soft phones name themselves freely; an
/// operator who types something that is meant to be a MAC but is not one (`zz:zz:zz`, eleven
/// hex digits) would then search for a soft phone of that name and find nothing. Here, text
/// that looks like a MAC attempt must be one: text holding a `:`, or made only of hex digits and
/// the separators `:`, `-`, `.`, must have exactly 12 hex digits in equal groups.
extension SIPInstrumentID {
    /// Why `text` is refused, for the error message; nil when it is acceptable.
    public static func operatorInputProblem(_ text: String) -> String? {
        let trimmed = Lexer.trim(Substring(text))
        if trimmed.isEmpty { return "an instrument must not be empty" }
        guard SIPInstrumentID(trimmed) != nil else {
            return "'\(text.prefix(60))' is not an instrument id (no spaces, '/', '@' or control characters)"
        }
        let separators: Set<UInt8> = [0x3A, 0x2D, 0x2E]
        let looksLikeMAC =
            trimmed.utf8.contains(0x3A) || trimmed.utf8.allSatisfy { Lexer.isHexDigit($0) || separators.contains($0) }
        if looksLikeMAC && canonicalMAC(trimmed) == nil {
            let digits = trimmed.utf8.filter(Lexer.isHexDigit).count
            let others = trimmed.utf8.filter { !Lexer.isHexDigit($0) && !separators.contains($0) }.count
            let why =
                others > 0
                ? "it has characters that are not hex digits"
                : digits != 12 ? "it has \(digits) hex digits, a MAC has 12" : "its separators do not split it into equal groups"
            return "'\(text.prefix(60))' is not a MAC address: \(why) (e.g. 0000DEADBEEF or 00:00:de:ad:be:ef)"
        }
        return nil
    }

    /// The id for operator input, or nil when ``operatorInputProblem(_:)`` finds one.
    public init?(operatorInput text: String) {
        guard Self.operatorInputProblem(text) == nil, let id = SIPInstrumentID(text) else { return nil }
        self = id
    }
}
