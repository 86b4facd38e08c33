public import SIPCore

/// The phone vendors whose configuration files the service renders (peers.md §5), each from
/// operator-editable templates in `conf/templates/` (``ConfigurationTemplates``).
public enum PhoneVendor: String, CaseIterable, Sendable, Hashable {
    case snom
    case yealink
    case polycom
    case grandstream
    case cisco
    case fanvil

    /// The template of the vendor's full per-phone configuration: what a per-MAC file name and
    /// the RFC 6011 form (`?sfua-id=…`) both render.
    public var configurationTemplate: String { rawValue }

    /// The name of the file that ``configurationTemplate`` renders, as this vendor's phones request
    /// it (`0000deadbeef.cfg` for Yealink): the `Content-Location` of http-monitor NOTIFYs.
    public func configurationFileName(_ id: SIPInstrumentID) -> String {
        let mac = id.value.lowercased()
        switch self {
        case .yealink, .fanvil: return mac + ".cfg"
        case .polycom: return mac + "-switchboard.cfg"
        case .snom, .cisco: return mac + ".xml"
        case .grandstream: return "cfg" + mac + ".xml"
        }
    }

    /// The vendor's names, for messages: `snom, yealink, …`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
