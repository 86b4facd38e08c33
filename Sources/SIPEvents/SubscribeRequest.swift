public import SIPCore
public import SIPTransport

/// The parts of a SUBSCRIBE the notifier needs (RFC 6665 §4.1.2, §8.2), parsed once; a
/// malformed one is a ``SIPResponseError`` (400 naming the header).
public struct SubscribeRequest: Sendable {
    public var request: SIPRequest
    public var source: SIPSource
    public var event: SIPEventHeader
    /// nil: no Expires header (the package's default applies).
    public var expires: UInt32?
    public var callID: String
    public var cseq: UInt32
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    /// The subscriber's Contact URI: the dialog's remote target (RFC 3261 §12.1.1).
    public var contact: SIPURI
    /// Record-Route values in order: the dialog's route set (§12.1.1).
    public var recordRoute: [String]
    /// Accept media types, lower-cased (empty: none given).
    public var accept: [String]

    public init(request: SIPRequest, essentials: SIPRequestEssentials, source: SIPSource) throws(SIPResponseError) {
        self.request = request
        self.source = source
        callID = essentials.callID
        cseq = essentials.cseq.sequence
        from = essentials.from
        to = essentials.to
        do throws(SIPParseError) {
            guard let event = try request.event else { throw SIPParseError(.missingHeader, "Missing Event header") }
            self.event = event
            expires = try request.expires
            guard let contact = try request.contacts().contacts.first?.uri else {
                throw SIPParseError(.missingHeader, "Missing Contact header")
            }
            self.contact = contact
            recordRoute = try request.recordRoutes().map(\.description)
            accept = try request.headers.values(.accept).map { value throws(SIPParseError) in
                let type = try SIPMediaType(parsing: value)
                return (type.type + "/" + type.subtype).lowercased()
            }
        } catch {
            throw .badRequest(error.reason)
        }
    }

    /// Whether the subscriber accepts `contentType` (RFC 6665 §4.2.1.1: no Accept means the
    /// package's default).
    public func accepts(_ contentType: String) -> Bool {
        guard !accept.isEmpty else { return true }
        let wanted = Self.split(contentType)
        return accept.contains { item in
            let offered = Self.split(item)
            return (offered.type == "*" && offered.subtype == "*")
                || (offered.type == wanted.type && (offered.subtype == "*" || offered.subtype == wanted.subtype))
        }
    }

    private static func split(_ mediaType: String) -> (type: String, subtype: String) {
        let parts = mediaType.lowercased().split(separator: "/", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }
}
