public import SIPCore

/// What a phone asks for by file name (peers.md §5): a per-phone file of one or more vendors
/// keyed by MAC, or a vendor's common file. Legacy and current names are served side by side,
/// so a phone keeps working whatever firmware (and so whatever URL) it has (Vodia, "Trouble in
/// RPS land": never move a URL under deployed phones).
///
/// | name | vendors | template | form |
/// |---|---|---|---|
/// | `{mac}.cfg` | Yealink, Polycom, Fanvil | `yealink`, `polycom-master`, `fanvil` | per phone (Polycom: master file naming `{mac}-switchboard.cfg`) |
/// | `{mac}.boot` | Yealink | `yealink-boot` | boot file (firmware ≥ 81) listing `{mac}.cfg` |
/// | `{mac}-switchboard.cfg` | Polycom | `polycom` | the configuration the master file lists |
/// | `{mac}.xml` | snom, Cisco | `snom`, `cisco` | snom `setting_server` with `{mac}`; Cisco MPP `Profile_Rule /$MA.xml` |
/// | `snom{model}-{MAC}.htm` | snom | `snom` | legacy snom specific setting file |
/// | `spa{mac}.xml` | Cisco | `cisco` | legacy SPA `Profile_Rule /spa$MA.xml` |
/// | `cfg{mac}.xml` | Grandstream | `grandstream` | per phone |
/// | `y000000000000.cfg`, `y0000000000XX.cfg` | Yealink | `yealink-common` | common |
/// | `000000000000.cfg` | Polycom | `polycom-common` | common master file (`[PHONE_MAC_ADDRESS]`) |
/// | `cfg.xml` | Grandstream | `grandstream-common` | common |
/// | `snom{model}.htm` | snom | `snom-common` | legacy snom general setting file |
///
/// Names are matched case-insensitively; the MAC may be written in either case. Grandstream's
/// legacy `cfg{mac}` is a binary format and is not served.
public enum ConfigurationFileName: Sendable, Hashable {
    /// A per-phone file: the template to render for each vendor that requests this name.
    case instrument(SIPInstrumentID, templates: [PhoneVendor: String])
    /// A vendor's common file: no MAC, no secret.
    case common(PhoneVendor, template: String)

    /// The file a request path asks for (its last segment), or nil for a name no vendor uses.
    public init?(path: some StringProtocol) {
        let name = Substring(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        let lower = name.lowercased()
        guard !lower.isEmpty, lower.utf8.count <= 128 else { return nil }
        if let parsed = Self.common(lower) {
            self = parsed
        } else if let parsed = Self.instrument(lower) {
            self = parsed
        } else {
            return nil
        }
    }

    /// The template for `vendor`, or nil when that vendor does not request this name.
    public func template(for vendor: PhoneVendor) -> String? {
        switch self {
        case .instrument(_, let templates): templates[vendor]
        case .common(let owner, let template): owner == vendor ? template : nil
        }
    }

    private static func common(_ name: String) -> ConfigurationFileName? {
        if name == "000000000000.cfg" { return .common(.polycom, template: "polycom-common") }
        if name == "cfg.xml" { return .common(.grandstream, template: "grandstream-common") }
        if name.hasPrefix("y0000000000"), name.hasSuffix(".cfg"), name.utf8.count == 17,
            name.dropFirst(11).prefix(2).allSatisfy(\.isHexDigit)
        {
            return .common(.yealink, template: "yealink-common")
        }
        if name.hasPrefix("snom"), name.hasSuffix(".htm"), !name.contains("-") {
            let model = name.dropFirst(4).dropLast(4)
            if !model.isEmpty, model.allSatisfy({ $0.isLetter || $0.isNumber }) {
                return .common(.snom, template: "snom-common")
            }
        }
        return nil
    }

    private static func instrument(_ name: String) -> ConfigurationFileName? {
        func mac(_ text: Substring) -> SIPInstrumentID? {
            guard text.utf8.count == 12, let id = SIPInstrumentID(text), id.isMAC else { return nil }
            return id
        }
        if name.hasSuffix("-switchboard.cfg"), let id = mac(name.dropLast(16)) {
            return .instrument(id, templates: [.polycom: "polycom"])
        }
        if name.hasSuffix(".cfg"), let id = mac(name.dropLast(4)) {
            return .instrument(id, templates: [.yealink: "yealink", .polycom: "polycom-master", .fanvil: "fanvil"])
        }
        if name.hasSuffix(".boot"), let id = mac(name.dropLast(5)) {
            return .instrument(id, templates: [.yealink: "yealink-boot"])
        }
        if name.hasPrefix("spa"), name.hasSuffix(".xml"), let id = mac(name.dropFirst(3).dropLast(4)) {
            return .instrument(id, templates: [.cisco: "cisco"])
        }
        if name.hasPrefix("cfg"), name.hasSuffix(".xml"), let id = mac(name.dropFirst(3).dropLast(4)) {
            return .instrument(id, templates: [.grandstream: "grandstream"])
        }
        if name.hasSuffix(".xml"), let id = mac(name.dropLast(4)) {
            return .instrument(id, templates: [.snom: "snom", .cisco: "cisco"])
        }
        if name.hasPrefix("snom"), name.hasSuffix(".htm"), let dash = name.lastIndex(of: "-"),
            let id = mac(name[name.index(after: dash)...].dropLast(4))
        {
            return .instrument(id, templates: [.snom: "snom"])
        }
        return nil
    }
}
