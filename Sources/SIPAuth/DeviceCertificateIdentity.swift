public import SIPCore

/// The instrument a device certificate names: phones with a factory certificate (Yealink, snom,
/// Polycom, Cisco MIC …) carry their MAC address in the subject common name or in a
/// subjectAltName, so a TLS client certificate identifies the phone without any password
/// (RFC 6011 §1.3.3 item 2, §2.4.1; peers.md §5: the side-by-side port for new phones).
///
/// Where the MAC is looked for, first match wins:
/// 1. the subject CN, when it is a MAC in any spelling (`001565AABBCC`, `00:15:65:aa:bb:cc`);
/// 2. the subject CN ending in 12 hex digits after a non-hex character (`SEP001565AABBCC`,
///    `yealink-001565aabbcc`);
/// 3. a `URI:urn:uuid:` SAN holding a version-1 UUID (RFC 4122 §4.1.6: node = MAC);
/// 4. a `DNS:` SAN whose first label is a MAC (`001565aabbcc.phones.example.net`).
///
/// Input is what ``SIPPeerCertificate`` (SIPTransport) holds: the subject distinguished name as
/// text (`CN=…,O=…`) and SANs written `DNS:name`, `URI:uri`.
public enum DeviceCertificateIdentity {
    /// The MAC the certificate names, or nil.
    public static func instrument(subject: String, subjectAlternativeNames: [String]) -> SIPInstrumentID? {
        if let cn = commonName(subject) {
            if let id = SIPInstrumentID(cn), id.isMAC { return id }
            if let id = trailingMAC(cn) { return id }
        }
        for name in subjectAlternativeNames where name.hasPrefix("URI:") {
            if let id = SIPInstrumentID.fromInstance(String(name.dropFirst(4))) { return id }
        }
        for name in subjectAlternativeNames where name.hasPrefix("DNS:") {
            let label = name.dropFirst(4).split(separator: ".", maxSplits: 1).first ?? ""
            if let id = SIPInstrumentID(label), id.isMAC { return id }
        }
        return nil
    }

    /// The value of the `CN` attribute of an RFC 4514 distinguished name (`CN=x,O=y` or
    /// `O=y,CN=x`); escaped commas (`\,`) do not split.
    static func commonName(_ subject: String) -> String? {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in subject {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == "+" {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        for part in parts {
            let trimmed = part.drop { $0 == " " }
            if trimmed.uppercased().hasPrefix("CN=") { return String(trimmed.dropFirst(3)) }
        }
        return nil
    }

    private static func trailingMAC(_ text: String) -> SIPInstrumentID? {
        let bytes = Array(text.utf8)
        guard bytes.count > 12 else { return nil }
        let tail = bytes.suffix(12)
        guard tail.allSatisfy(isHex), !isHex(bytes[bytes.count - 13]) else { return nil }
        return SIPInstrumentID(String(decoding: tail, as: UTF8.self))
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }
}
