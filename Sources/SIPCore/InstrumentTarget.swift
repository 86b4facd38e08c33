/// The special user parts that address an instrument rather than a user
/// (draft-worley-instrument-identification §3; sipXecs's forms):
///
/// - `sip:~~in~0000DEADBEEF@domain`: every line appearance registered by that instrument;
/// - `sip:~~in~69&0000DEADBEEF@domain`: only user 69's bindings from it (split at the LAST `&`).
///
/// The instrument is canonicalised (``SIPInstrumentID``), so MAC case and separators don't matter.
public struct SIPInstrumentTarget: Sendable, Hashable, CustomStringConvertible {
    /// The reserved prefix of the user part.
    public static let prefix = "~~in~"

    /// The instrument addressed.
    public var instrument: SIPInstrumentID
    /// The user whose line appearances are addressed; nil for every line of the instrument.
    public var user: String?

    public init(instrument: SIPInstrumentID, user: String? = nil) {
        self.instrument = instrument
        self.user = user
    }

    /// Parses an unescaped user part; nil when it does not start with `~~in~` or names no valid
    /// instrument.
    public init?(userPart: some StringProtocol) {
        let text = Substring(userPart)
        guard text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        if let ampersand = rest.lastIndex(of: "&") {
            let user = rest[rest.startIndex..<ampersand]
            guard !user.isEmpty, let instrument = SIPInstrumentID(rest[rest.index(after: ampersand)...]) else {
                return nil
            }
            self.init(instrument: instrument, user: String(user))
        } else {
            guard let instrument = SIPInstrumentID(rest) else { return nil }
            self.init(instrument: instrument)
        }
    }

    /// The target named by a SIP or SIPS Request-URI, nil for any other URI.
    public init?(requestURI uri: SIPURI) {
        guard uri.scheme != .tel, let user = uri.unescapedUser else { return nil }
        self.init(userPart: user)
    }

    /// `~~in~USER&INSTRUMENT` or `~~in~INSTRUMENT`.
    public var description: String {
        Self.prefix + (user.map { "\($0)&" } ?? "") + instrument.value
    }
}
