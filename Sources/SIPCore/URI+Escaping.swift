extension SIPURI {
    /// Decodes `%HH` escapes. Invalid escapes are left as written.
    public static func unescape(_ text: String) -> String {
        guard text.utf8.contains(Lexer.percent) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == Lexer.percent, iterator.count >= 2,
                let high = Lexer.hexValue(iterator[iterator.startIndex]),
                let low = Lexer.hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Escapes every byte of `text` that may not appear in a URI user part.
    public static func escapeUser(_ text: String) -> String {
        escape(text, allowed: userTable)
    }

    static func escape(_ text: String, allowed: [Bool]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex: [Character] = Array("0123456789ABCDEF")
        for byte in text.utf8 {
            if allowed[Int(byte)] && byte != Lexer.percent {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// A user part in canonical escaping: escapes of characters that need none decoded, the
    /// rest written with upper-case hex. Two user parts equal under RFC 3261 §19.1.4 have the
    /// same canonical escaping.
    static func canonicalEscaping(_ text: String) -> String {
        escape(unescape(text), allowed: userTable)
    }
}
