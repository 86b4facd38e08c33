public import SIPCore

/// What an operator asks for when provisioning a phone (`switchboard instrument add MAC --vendor V
/// --line USER …`): the input of ``ProvisioningStore/addInstrument(_:now:)``.
public struct InstrumentDefinition: Sendable, Hashable {
    public var id: SIPInstrumentID
    public var vendor: String
    public var model: String?
    public var label: String?
    public var lines: [LineDefinition]

    /// `vendor` is lower-cased.
    public init(id: SIPInstrumentID, vendor: String, model: String? = nil, label: String? = nil, lines: [LineDefinition] = []) {
        self.id = id
        self.vendor = SIPUserCredential.canonicalDomain(vendor)
        self.model = model
        self.label = label
        self.lines = lines
    }

    /// The rules every backend enforces: the id is a MAC address (vendors key their files by it);
    /// the vendor a token of 1–32 letters, digits or `-`; model and label at most 64 and 128
    /// bytes of printable text; at most ``ProvisionedInstrument/maxLines`` lines.
    public func validate() throws(StorageError) {
        guard id.isMAC else { throw .invalidInstrument(id.value, reason: "not a MAC address (12 hex digits)") }
        guard !vendor.isEmpty, vendor.utf8.count <= 32,
            vendor.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { throw .invalidInstrument(id.value, reason: "vendor '\(vendor)' is not a token of letters, digits and '-'") }
        try Self.checkText(model, name: "model", limit: 64, id: id)
        try Self.checkText(label, name: "label", limit: 128, id: id)
        guard lines.count <= ProvisionedInstrument.maxLines else {
            throw .invalidInstrument(id.value, reason: "more than \(ProvisionedInstrument.maxLines) lines")
        }
    }

    static func checkText(_ text: String?, name: String, limit: Int, id: SIPInstrumentID) throws(StorageError) {
        guard let text else { return }
        guard !text.isEmpty, text.utf8.count <= limit else {
            throw .invalidInstrument(id.value, reason: "\(name) must be 1–\(limit) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidInstrument(id.value, reason: "\(name) contains a control character")
        }
    }
}

/// A line appearance to add: the user (who must be a valid user name, see
/// ``SIPUserCredential/validate(user:domain:)``), its domain, an optional display name and an
/// optional line index (the lowest free one when nil).
public struct LineDefinition: Sendable, Hashable {
    public var user: String
    public var domain: String
    public var displayName: String?
    public var index: Int?

    public init(user: String, domain: String, displayName: String? = nil, index: Int? = nil) {
        self.user = user
        self.domain = SIPUserCredential.canonicalDomain(domain)
        self.displayName = displayName
        self.index = index
    }

    func validate(instrument: SIPInstrumentID) throws(StorageError) {
        try SIPUserCredential.validate(user: user, domain: domain)
        if let index, !(1...ProvisionedInstrument.maxLines).contains(index) {
            throw .invalidInstrument(instrument.value, reason: "line index \(index) is outside 1...\(ProvisionedInstrument.maxLines)")
        }
        try InstrumentDefinition.checkText(displayName, name: "display name", limit: 128, id: instrument)
    }
}
