/// Lower-case hexadecimal, as digests are written (RFC 7616 §3.4.1 "LHEX").
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes an even number of hex digits (either case); nil on anything else.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for byte in utf8 {
            guard let nibble = value(byte) else { return nil }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    static func isHex(_ text: some StringProtocol) -> Bool {
        !text.utf8.isEmpty && text.utf8.allSatisfy { value($0) != nil }
    }
}

/// Comparison whose running time depends only on the lengths, not on where the inputs differ,
/// so a response cannot be guessed byte by byte from timing. Lengths are public (a digest's
/// length follows from its algorithm).
public enum ConstantTime {
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// Like ``equals(_:_:)`` but ASCII letters in `received` compare case-insensitively with a
    /// lower-case `expected` (some clients write hex digests in upper case).
    static func equalsLowercasing(expected: some Collection<UInt8>, received: some Collection<UInt8>) -> Bool {
        guard expected.count == received.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(expected, received) {
            // Branch-free ASCII lower-casing of A–Z.
            let t = Int(y)
            let notUpper = ((t &- 0x41) | (0x5A &- t)) >> 63  // 0 for A–Z, -1 otherwise
            difference |= x ^ (y | UInt8(truncatingIfNeeded: ~notUpper & 0x20))
        }
        return difference == 0
    }
}
