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

    /// The vendor's names, for messages: `snom, yealink, …`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
