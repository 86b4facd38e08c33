public import SIPCore

/// The configuration request parameters of RFC 6011 §2.3.2.1, from the query of
/// `GET <base>?sfua-id=urn:uuid:…&sfua-user=…&sfua-vendor=…&sfua-model=…&sfua-revision=…`.
///
/// `sfua-id` is required (§2.3.2.1: "MUST always be included") and names the instrument: the
/// node of a version-1 UUID is its MAC (RFC 4122 §4.1.6, RFC 5626 §4.1). Parameters this
/// service does not know are ignored (§2.3.2 item 3).
public struct SFUARequest: Sendable, Hashable {
    /// The RFC 5626 instance URN as sent.
    public var id: String
    /// The MAC address in `id`.
    public var instrument: SIPInstrumentID
    /// The user the configuration is for; when present, HTTP authentication must use it as the
    /// username (§2.4.1).
    public var user: String?
    /// A DNS domain of the vendor (`examplecorp.com`).
    public var vendor: String?
    public var model: String?
    public var revision: String?

    public init(id: String, instrument: SIPInstrumentID, user: String? = nil, vendor: String? = nil, model: String? = nil, revision: String? = nil) {
        self.id = id
        self.instrument = instrument
        self.user = user
        self.vendor = vendor
        self.model = model
        self.revision = revision
    }

    /// Why a query is not a usable RFC 6011 request.
    public enum Failure: Error, Sendable, Hashable {
        /// No `sfua-*` parameter at all: not this form.
        case notSFUA
        /// `sfua-id` is missing or not a version-1 UUID URN with a MAC node.
        case unusableID
    }

    /// Parses percent-decoded query items (names compared case-insensitively, the first of
    /// repeated names wins).
    public init(query: [(name: String, value: String)]) throws(Failure) {
        func value(_ name: String) -> String? {
            query.first { $0.name.lowercased() == name }.map(\.value).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard query.contains(where: { $0.name.lowercased().hasPrefix("sfua-") }) else { throw .notSFUA }
        guard let id = value("sfua-id"), let instrument = SIPInstrumentID.fromInstance(id), instrument.isMAC else {
            throw .unusableID
        }
        self.init(
            id: id, instrument: instrument, user: value("sfua-user"), vendor: value("sfua-vendor"),
            model: value("sfua-model"), revision: value("sfua-revision"))
    }
}
