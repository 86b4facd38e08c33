/// One Contact value (RFC 3261 §20.10) with the parameters a registrar uses: `expires`, `q`
/// (§10.2.1), `+sip.instance` and `reg-id` (RFC 5626 §4.1–4.2), `pub-gruu` (RFC 5627).
public struct SIPContact: Sendable, Hashable, CustomStringConvertible {
    public var address: SIPNameAddress

    public init(address: SIPNameAddress) { self.address = address }
    public init(uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.address = SIPNameAddress(uri: uri, parameters: parameters)
    }

    public var uri: SIPURI { address.uri }
    public var parameters: SIPParameters { address.parameters }

    /// The `expires` parameter in seconds; nil when absent or not a number.
    public var expires: UInt32? {
        address.parameters.rawValue("expires").flatMap { Lexer.parseDecimal($0, max: UInt64(UInt32.max)) }.map {
            UInt32($0)
        }
    }

    /// The `q` parameter as thousandths (`q=0.5` → 500); nil when absent or invalid.
    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
    public var qThousandths: Int? {
        guard let raw = address.parameters.rawValue("q") else { return nil }
        return SIPContact.parseQValue(raw)
    }

    /// True when a `q` parameter is present but not a valid qvalue.
    public var hasInvalidQ: Bool { address.parameters.contains("q") && qThousandths == nil }

    /// `+sip.instance` without its quotes and angle brackets (`urn:uuid:…`).
    public var instance: String? {
        guard var value = address.parameters.value("+sip.instance") else { return nil }
        if value.hasPrefix("<"), value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        return value
    }

    /// `reg-id` (RFC 5626 §4.2), a positive integer.
    public var regID: UInt32? {
        address.parameters.rawValue("reg-id").flatMap { Lexer.parseDecimal($0, max: UInt64(UInt32.max)) }.map {
            UInt32($0)
        }
    }

    /// `pub-gruu` (RFC 5627), unquoted.
    public var pubGRUU: String? { address.parameters.value("pub-gruu") }

    public var description: String { address.description }

    static func parseQValue(_ raw: String) -> Int? {
        let utf8 = Array(raw.utf8)
        guard let first = utf8.first, first == 0x30 || first == 0x31 else { return nil }
        var value = Int(first - 0x30) * 1000
        if utf8.count == 1 { return value }
        guard utf8[1] == 0x2E, utf8.count <= 5 else { return nil }
        var scale = 100
        for byte in utf8.dropFirst(2) {
            guard Lexer.isDigit(byte) else { return nil }
            value += Int(byte - 0x30) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }
}

/// The Contact header of a REGISTER: `*` or a list of contacts (RFC 3261 §10.2.2).
public enum SIPContactList: Sendable, Hashable {
    case wildcard
    case contacts([SIPContact])

    public var contacts: [SIPContact] {
        if case .contacts(let list) = self { return list }
        return []
    }
}
