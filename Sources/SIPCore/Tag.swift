/// Tags and branch identifiers that must be globally unique (RFC 3261 §19.3: at least 32 bits of
/// randomness; §8.1.1.7 for branches).
public enum SIPTag {
    /// A new tag for a From or To header: 64 random bits in base 36 (up to 13 characters).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36)
    }

    /// A new RFC 3261 branch: the magic cookie `z9hG4bK` followed by 64 random bits.
    public static func branch() -> String {
        SIPVia.magicCookie + random()
    }
}
