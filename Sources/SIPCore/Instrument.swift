/// Instrument identification (draft-worley-instrument-identification-00 §1–2; RFC 5626 §4.1).
///
/// A line appearance authenticates as `user/INSTRUMENT`; the username splits at the LAST `/`
/// (the real user may contain `/`, the instrument never does). Instrument ids compare
/// case-insensitively and are stored canonical: 12 upper-case hex digits for a MAC address
/// written in any case or with `:`/`-` separators; other tokens (soft phones) as given.
public struct SIPInstrumentID: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The canonical form.
    public let value: String

    /// Canonicalizes `text`; nil when empty or containing characters no identifier may hold
    /// (white space, `/`, control characters, `@`).
    public init?(_ text: some StringProtocol) {
        let trimmed = Lexer.trim(Substring(text))
        guard !trimmed.isEmpty, trimmed.utf8.count <= 128,
            trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != Lexer.slash && $0 != Lexer.at })
        else { return nil }
        if let mac = SIPInstrumentID.canonicalMAC(trimmed) {
            value = mac
        } else {
            value = String(trimmed)
        }
    }

    public var description: String { value }

    /// Ids compare without regard to ASCII case: a soft-phone token keeps the case it was given
    /// in, but `Bria-7` and `bria-7` are the same instrument.
    public static func == (lhs: SIPInstrumentID, rhs: SIPInstrumentID) -> Bool {
        Lexer.equalsIgnoringCase(lhs.value, rhs.value)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(Lexer.lowercasedASCII(value)) }
    public static func < (lhs: SIPInstrumentID, rhs: SIPInstrumentID) -> Bool {
        Lexer.lowercasedASCII(lhs.value) < Lexer.lowercasedASCII(rhs.value)
    }

    /// True when the id is a MAC address (12 hex digits).
    public var isMAC: Bool { value.utf8.count == 12 && value.utf8.allSatisfy(Lexer.isHexDigit) }

    /// `00:00:de:ad:be:ef`, `0000-dead-beef`, `0000.dead.beef`, `0000deadbeef` → `0000DEADBEEF`.
    static func canonicalMAC(_ text: Substring) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        var separators = 0
        for byte in text.utf8 {
            if Lexer.isHexDigit(byte) {
                digits.append(byte >= 0x61 ? byte - 0x20 : byte)
                if digits.count > 12 { return nil }
            } else if byte == 0x3A || byte == 0x2D || byte == 0x2E {
                separators += 1
            } else {
                return nil
            }
        }
        guard digits.count == 12, separators <= 5 else { return nil }
        if separators > 0 {
            // Separators must split the digits into equal groups (2×6, 4×3).
            let groups = text.split(whereSeparator: { $0 == ":" || $0 == "-" || $0 == "." })
            guard groups.count == separators + 1, Set(groups.map(\.utf8.count)).count == 1 else { return nil }
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The MAC address in a version-1 (time-based) UUID URN, `urn:uuid:…` (RFC 4122 §4.1.6: the
    /// node field, the last 12 hex digits, holds an IEEE 802 address). nil for other URNs or
    /// other UUID versions.
    public static func fromInstance(_ instance: String) -> SIPInstrumentID? {
        var text = Substring(instance)
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        guard text.count == 45, Lexer.equalsIgnoringCase(text.prefix(9), "urn:uuid:") else { return nil }
        let uuid = Array(text.dropFirst(9).utf8)
        // xxxxxxxx-xxxx-Vxxx-xxxx-xxxxxxxxxxxx
        for (i, byte) in uuid.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                guard byte == 0x2D else { return nil }
            } else {
                guard Lexer.isHexDigit(byte) else { return nil }
            }
        }
        guard uuid[14] == UInt8(ascii: "1") else { return nil }
        return SIPInstrumentID(String(decoding: uuid[24...], as: UTF8.self))
    }
}

/// An authentication username split into the real user and the instrument
/// (`69/0000DEADBEEF` → `69` and `0000DEADBEEF`).
public struct SIPAuthUsername: Sendable, Hashable {
    /// The whole username as sent; digest A1 is computed over this.
    public let full: String
    /// The part before the last `/`, or the whole name when there is no instrument.
    public let user: String
    /// The part after the last `/`, canonicalized; nil when there is no `/` or the part is not a
    /// valid identifier.
    public let instrument: SIPInstrumentID?

    public init(_ username: String) {
        full = username
        if let slash = username.lastIndex(of: "/"), slash != username.startIndex,
            let instrument = SIPInstrumentID(username[username.index(after: slash)...])
        {
            user = String(username[username.startIndex..<slash])
            self.instrument = instrument
        } else {
            user = username
            instrument = nil
        }
    }
}
