public import SIPCore
public import SIPStorage

/// One provisioned instrument as `GET /v1/instruments[/{mac}]` and `switchboard instrument show
/// --json` show it: the MAC (canonical, `0000DEADBEEF`), vendor, model, label, the configuration
/// version (bumped by every change) and the line appearances. Times are ISO 8601 UTC.
public struct AdminInstrument: Codable, Sendable, Hashable {
    public var mac: String
    public var vendor: String
    public var model: String?
    public var label: String?
    public var configurationVersion: Int
    public var lines: [AdminLine]
    public var created: String
    public var updated: String

    public init(
        mac: String, vendor: String, model: String?, label: String?, configurationVersion: Int, lines: [AdminLine],
        created: String, updated: String
    ) {
        self.mac = mac
        self.vendor = vendor
        self.model = model
        self.label = label
        self.configurationVersion = configurationVersion
        self.lines = lines
        self.created = created
        self.updated = updated
    }

    public init(_ instrument: ProvisionedInstrument) {
        self.init(
            mac: instrument.id.value, vendor: instrument.vendor, model: instrument.model, label: instrument.label,
            configurationVersion: instrument.configurationVersion,
            lines: instrument.lines.map { AdminLine($0, on: instrument.id) },
            created: ISO8601Time.format(instrument.created), updated: ISO8601Time.format(instrument.updated))
    }
}

/// One line appearance: its index, the user and AOR it registers, and the digest username it
/// authenticates with (`69/0000DEADBEEF`).
public struct AdminLine: Codable, Sendable, Hashable {
    public var index: Int
    public var user: String
    public var domain: String
    public var aor: String
    public var authUser: String
    public var displayName: String?

    public init(index: Int, user: String, domain: String, aor: String, authUser: String, displayName: String?) {
        self.index = index
        self.user = user
        self.domain = domain
        self.aor = aor
        self.authUser = authUser
        self.displayName = displayName
    }

    public init(_ line: LineAppearance, on instrument: SIPInstrumentID) {
        self.init(
            index: line.index, user: line.user, domain: line.domain, aor: line.addressOfRecord,
            authUser: line.authUsername(on: instrument), displayName: line.displayName)
    }
}

/// `POST /v1/instruments`: a MAC in any spelling (`00:00:de:ad:be:ef`), the vendor, and the
/// lines (each user must exist).
public struct AdminNewInstrument: Codable, Sendable, Hashable {
    public var mac: String
    public var vendor: String
    public var model: String?
    public var label: String?
    public var lines: [AdminNewLine]?

    public init(mac: String, vendor: String, model: String? = nil, label: String? = nil, lines: [AdminNewLine]? = nil) {
        self.mac = mac
        self.vendor = vendor
        self.model = model
        self.label = label
        self.lines = lines
    }
}

/// A line to add: `POST /v1/instruments/{mac}/lines`, or one of ``AdminNewInstrument/lines``.
/// `domain` defaults to the server's first domain, `index` to the lowest free line.
public struct AdminNewLine: Codable, Sendable, Hashable {
    public var user: String
    public var domain: String?
    public var displayName: String?
    public var index: Int?

    public init(user: String, domain: String? = nil, displayName: String? = nil, index: Int? = nil) {
        self.user = user
        self.domain = domain
        self.displayName = displayName
        self.index = index
    }
}
