public import SIPCore

/// A phone provisioned by its MAC address, with its line appearances: what the configuration
/// service (RFC 6011) renders into the vendor's configuration file, and what the registrar checks
/// under `auth.instrumentPolicy: provisioned`.
///
/// Each line authenticates as `user/MAC` (draft-worley-instrument-identification §1,
/// ``LineAppearance/authUsername(on:)``). ``configurationVersion`` starts at 1 and is bumped by
/// every change, removal included; every change is published on the store's
/// ``ProvisioningChangeFeed``.
public struct ProvisionedInstrument: Sendable, Hashable {
    /// The MAC address, canonical (`0000DEADBEEF`).
    public var id: SIPInstrumentID
    /// The vendor, a lower-case token (`yealink`, `snom`, …); which templates render it.
    public var vendor: String
    /// The vendor's model name (`T54W`), when known.
    public var model: String?
    /// A free-text label for the operator (`desk 4.12`).
    public var label: String?
    /// The line appearances, ordered by ``LineAppearance/index``.
    public var lines: [LineAppearance]
    /// Bumped by every change of this instrument or its lines.
    public var configurationVersion: Int
    public var created: SIPTimestamp
    public var updated: SIPTimestamp

    public init(
        id: SIPInstrumentID, vendor: String, model: String? = nil, label: String? = nil, lines: [LineAppearance],
        configurationVersion: Int, created: SIPTimestamp, updated: SIPTimestamp
    ) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.label = label
        self.lines = lines.sorted { $0.index < $1.index }
        self.configurationVersion = configurationVersion
        self.created = created
        self.updated = updated
    }

    /// The most line appearances one instrument may have.
    public static let maxLines = 64

    /// A new instrument from `definition` (validated), at version 1; lines without an index get
    /// the lowest free ones, in the order given.
    public init(_ definition: InstrumentDefinition, now: SIPTimestamp) throws(StorageError) {
        try definition.validate()
        self.init(
            id: definition.id, vendor: definition.vendor, model: definition.model, label: definition.label, lines: [],
            configurationVersion: 1, created: now, updated: now)
        for line in definition.lines { try insert(line) }
    }

    /// This instrument with `line` added (at its index, or the lowest free one) and its version
    /// bumped.
    public func adding(_ line: LineDefinition, now: SIPTimestamp) throws(StorageError) -> ProvisionedInstrument {
        var copy = self
        try copy.insert(line)
        copy.bump(now)
        return copy
    }

    /// This instrument without the line at `index`, its version bumped;
    /// ``StorageError/lineNotFound(instrument:index:)`` if there is none.
    public func removingLine(index: Int, now: SIPTimestamp) throws(StorageError) -> ProvisionedInstrument {
        guard let position = lines.firstIndex(where: { $0.index == index }) else {
            throw .lineNotFound(instrument: id.value, index: index)
        }
        var copy = self
        copy.lines.remove(at: position)
        copy.bump(now)
        return copy
    }

    /// The version a removal publishes.
    public func removed(now: SIPTimestamp) -> ProvisionedInstrument {
        var copy = self
        copy.bump(now)
        return copy
    }

    private mutating func bump(_ now: SIPTimestamp) {
        configurationVersion += 1
        updated = now
    }

    private mutating func insert(_ definition: LineDefinition) throws(StorageError) {
        try definition.validate(instrument: id)
        let domain = SIPUserCredential.canonicalDomain(definition.domain)
        if lines.contains(where: { $0.user == definition.user && $0.domain == domain }) {
            throw .lineExists(instrument: id.value, reason: "\(definition.user)@\(domain) already has a line on it")
        }
        let index: Int
        if let wanted = definition.index {
            guard !lines.contains(where: { $0.index == wanted }) else {
                throw .lineExists(instrument: id.value, reason: "line \(wanted) is taken")
            }
            index = wanted
        } else {
            let taken = Set(lines.map(\.index))
            guard let free = (1...Self.maxLines).first(where: { !taken.contains($0) }) else {
                throw .invalidInstrument(id.value, reason: "more than \(Self.maxLines) lines")
            }
            index = free
        }
        lines.append(LineAppearance(index: index, user: definition.user, domain: domain, displayName: definition.displayName))
        lines.sort { $0.index < $1.index }
    }
}

/// One line key of a phone (RFC 6011 §3.1: address-of-record, username): the user it registers
/// as, and the line index the vendor's configuration numbers it with (`account.1`, `reg.1`, …).
public struct LineAppearance: Sendable, Hashable {
    /// 1-based, as vendors number their accounts.
    public var index: Int
    public var user: String
    /// Lower-case.
    public var domain: String
    /// Shown on the phone; the vendor's default when nil.
    public var displayName: String?

    public init(index: Int, user: String, domain: String, displayName: String? = nil) {
        self.index = index
        self.user = user
        self.domain = SIPUserCredential.canonicalDomain(domain)
        self.displayName = displayName
    }

    /// `user/MAC`, the digest username this line authenticates with
    /// (draft-worley-instrument-identification §1): `69/0000DEADBEEF`.
    public func authUsername(on instrument: SIPInstrumentID) -> String { "\(user)/\(instrument.value)" }

    /// `sip:user@domain`.
    public var addressOfRecord: String { Binding.canonicalAOR(user: user, domain: domain) }
}
