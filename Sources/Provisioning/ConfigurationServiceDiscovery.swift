/// How phones find the configuration service (RFC 6011 §2.1–2.3, §4): the records an operator
/// publishes, computed here so that `switchboard discovery …` can print them.
///
/// - U-NAPTR (§2.3.1, §4.3; RFC 4848): `DOMAIN. IN NAPTR ORDER PREF "u" "SFUA.CFG"
///   "!^.*$!URL!" .` — flag `u`, empty replacement, the base URL in the regexp field.
/// - DHCPv4 option 141 (§4.1): the domain list in RFC 1035 §4.1.4 encoding, compressed, pointers
///   relative to the start of the option data (RFC 3397 §2); split into several options of at
///   most 255 data bytes when longer (RFC 3396).
/// - DHCPv6 option 58, `OPTION_SIP_UA_CS_LIST` (§4.2): the same list uncompressed (RFC 3315 §8).
public enum ConfigurationServiceDiscovery {
    /// Why a domain or URL cannot be published.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The DHCPv4 option code of RFC 6011 §4.1.
    public static let dhcpv4OptionCode: UInt8 = 141
    /// The DHCPv6 option code of RFC 6011 §4.2.
    public static let dhcpv6OptionCode: UInt16 = 58

    /// The zone-file line of the `SFUA.CFG` U-NAPTR record for `domain` naming `url`.
    public static func naptrRecord(domain: String, url: String, order: Int = 10, preference: Int = 10, ttl: Int? = nil)
        throws(Failure) -> String
    {
        let labels = try self.labels(domain)
        guard url.lowercased().hasPrefix("https://"), url.utf8.count > 8 else {
            throw Failure(description: "the configuration service URL must be https:// (RFC 6011 §2.3.1): \(url)")
        }
        guard !url.contains("!"), !url.contains("\""), !url.contains(where: { $0 == " " || $0.isNewline }) else {
            throw Failure(description: "the URL may not contain '!', '\"' or white space: \(url)")
        }
        guard (0...65_535).contains(order), (0...65_535).contains(preference) else {
            throw Failure(description: "order and preference are 0...65535")
        }
        let owner = labels.joined(separator: ".") + "."
        let ttlText = ttl.map { " \($0)" } ?? ""
        return "\(owner)\(ttlText) IN NAPTR \(order) \(preference) \"u\" \"SFUA.CFG\" \"!^.*$!\(url)!\" ."
    }

    /// The data of DHCPv4 option 141 for `domains`: compressed RFC 1035 names, pointers into
    /// this data.
    public static func dhcpv4Data(domains: [String]) throws(Failure) -> [UInt8] {
        var data: [UInt8] = []
        var offsets: [String: Int] = [:]  // lower-cased suffix → where it was written
        for domain in domains {
            let labels = try self.labels(domain)
            var index = 0
            while index < labels.count {
                let suffix = labels[index...].joined(separator: ".").lowercased()
                if let offset = offsets[suffix] {
                    data += [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)]
                    break
                }
                if data.count <= 0x3FFF { offsets[suffix] = data.count }
                data.append(UInt8(labels[index].utf8.count))
                data += labels[index].utf8
                index += 1
            }
            if index == labels.count { data.append(0) }
        }
        return data
    }

    /// The whole DHCPv4 option(s): code, length, data; data longer than 255 bytes is split into
    /// consecutive options (RFC 3396 §6).
    public static func dhcpv4Options(domains: [String]) throws(Failure) -> [UInt8] {
        let data = try dhcpv4Data(domains: domains)
        var bytes: [UInt8] = []
        var start = 0
        repeat {
            let chunk = data[start..<min(data.count, start + 255)]
            bytes += [dhcpv4OptionCode, UInt8(chunk.count)] + chunk
            start += 255
        } while start < data.count
        return bytes
    }

    /// The whole DHCPv6 option: code and length (16 bits each, network order), then the names
    /// uncompressed.
    public static func dhcpv6Option(domains: [String]) throws(Failure) -> [UInt8] {
        var data: [UInt8] = []
        for domain in domains {
            for label in try labels(domain) {
                data.append(UInt8(label.utf8.count))
                data += label.utf8
            }
            data.append(0)
        }
        guard data.count <= 0xFFFF else { throw Failure(description: "the domain list is too long for one DHCPv6 option") }
        return [0, UInt8(dhcpv6OptionCode), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    /// The labels of a host name (RFC 1035 §2.3.1, RFC 1123 §2.1: letters, digits, hyphens;
    /// 1–63 bytes each, 255 in all); one trailing dot allowed.
    static func labels(_ domain: String) throws(Failure) -> [String] {
        var text = Substring(domain)
        if text.hasSuffix(".") { text = text.dropLast() }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, text.utf8.count <= 253 else { throw Failure(description: "not a domain name: '\(domain)'") }
        for label in labels {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63, bytes.first != 0x2D, bytes.last != 0x2D,
                bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D })
            else {
                throw Failure(description: "not a domain name: '\(domain)' (label '\(label)')")
            }
        }
        return labels
    }
}
