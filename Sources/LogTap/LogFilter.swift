public import Logging
public import SIPCore

/// Which records a `switchboard logs` reader wants, applied on the server before a record is
/// queued for it (`GET /v1/logs?instrument=…&aor=…&method=…&level=…&since=…`). Every condition
/// given must hold; an empty filter takes everything.
///
/// - `instrument` matches the record's `sip.instrument` (SIP and configuration-service events)
///   or `instrument` (admin events) canonically: any spelling of a MAC names the same phone.
/// - `aor` matches `sip.aor` exactly; give it canonical (`sip:69@example.net`), as the admin API
///   does for the reader.
/// - `method` matches `sip.method` without regard to case.
/// - `level` is the least severe level taken (`notice` takes notice, warning, error, critical).
/// - `since` applies to the replay of recent records only (live records are always newer).
public struct LogFilter: Sendable, Hashable {
    public var instrument: SIPInstrumentID?
    public var aor: String?
    public var method: String?
    public var level: Logger.Level?
    public var since: LogTimestamp?

    /// The metadata keys that name an instrument.
    public static let instrumentKeys = ["sip.instrument", "instrument"]

    public init(
        instrument: SIPInstrumentID? = nil, aor: String? = nil, method: String? = nil, level: Logger.Level? = nil,
        since: LogTimestamp? = nil
    ) {
        self.instrument = instrument
        self.aor = aor
        self.method = method.map { $0.uppercased() }
        self.level = level
        self.since = since
    }

    /// True when `record` passes every condition but ``since``.
    public func matches(_ record: LogRecord) -> Bool {
        if let level, record.level < level { return false }
        if let method {
            guard let value = record["sip.method"], value.uppercased() == method else { return false }
        }
        if let aor {
            guard record["sip.aor"] == aor else { return false }
        }
        if let instrument {
            guard Self.instrumentKeys.contains(where: { Self.names(record[$0], instrument) }) else { return false }
        }
        return true
    }

    /// True when `record` is to be replayed: it matches and is not older than ``since``.
    public func matchesReplay(_ record: LogRecord) -> Bool {
        if let since, record.time < since { return false }
        return matches(record)
    }

    /// The canonical value is compared first (what the server logs); other spellings are
    /// canonicalized.
    private static func names(_ value: String?, _ instrument: SIPInstrumentID) -> Bool {
        guard let value else { return false }
        if value == instrument.value { return true }
        return SIPInstrumentID(value) == instrument
    }
}
