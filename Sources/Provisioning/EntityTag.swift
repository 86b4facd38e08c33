import Crypto
import SIPAuth

/// A strong entity tag derived from the rendered bytes (RFC 9110 §8.8.3): `"` + the first 32
/// hex digits of their SHA-256 + `"`. The same configuration always gets the same tag, across
/// restarts; any change of the bytes changes it (RFC 6011 §2.4: cache metadata MUST change when
/// the configuration does).
public struct EntityTag: Sendable, Hashable, CustomStringConvertible {
    /// The opaque tag, without quotes.
    public let opaque: String

    public init(of bytes: some Sequence<UInt8>) {
        let digest = SHA256.hash(data: Array(bytes))
        opaque = Hex.encode(digest.prefix(16))
    }

    /// The header value, `"…"`.
    public var description: String { "\"\(opaque)\"" }

    /// RFC 9110 §13.1.2: true when an `If-None-Match` value (`*`, or a list of tags, weak or
    /// strong) matches this tag by weak comparison.
    public func matches(ifNoneMatch header: String) -> Bool {
        let trimmed = header.trimmingSpaces
        if trimmed == "*" { return true }
        for item in trimmed.split(separator: ",") {
            var tag = Substring(item.trimmingSpaces)
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            guard tag.count >= 2, tag.first == "\"", tag.last == "\"" else { continue }
            if tag.dropFirst().dropLast() == opaque[...] { return true }
        }
        return false
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
