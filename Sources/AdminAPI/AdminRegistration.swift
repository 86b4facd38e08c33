public import SIPCore
public import SIPStorage

/// One binding as `GET /v1/registrations` and `switchboard registrations --json` show it
/// (the fields of the interface contract in the design brief, then the rest of ``Binding``).
///
/// Every field is present in the JSON; unknown values are `null`. `expires` is the number of
/// seconds left at the time of the request, rounded up as in a registrar's 200 OK
/// (RFC 3261 §10.3 step 8); `expiresAt`, `registeredAt` and `updatedAt` are ISO 8601 UTC with
/// milliseconds (`2025-01-31T08:00:00.000Z`); `q` is the Contact q-value as a number 0…1
/// (RFC 3261 §20.10); `instrument` is canonical (`0000DEADBEEF`).
public struct AdminRegistration: Codable, Sendable, Hashable {
    public var aor: String
    public var contact: String
    public var expires: Int64
    public var instrument: String?
    public var instance: String?
    public var regId: Int?
    public var transport: String
    public var source: String
    public var userAgent: String?
    public var q: Double
    public var callId: String
    public var cseq: UInt32
    public var path: [String]
    public var connectionId: UInt64?
    public var localListener: String
    public var expiresAt: String
    public var registeredAt: String
    public var updatedAt: String

    public init(
        aor: String, contact: String, expires: Int64, instrument: String?, instance: String?, regId: Int?,
        transport: String, source: String, userAgent: String?, q: Double, callId: String, cseq: UInt32,
        path: [String], connectionId: UInt64?, localListener: String, expiresAt: String, registeredAt: String,
        updatedAt: String
    ) {
        self.aor = aor
        self.contact = contact
        self.expires = expires
        self.instrument = instrument
        self.instance = instance
        self.regId = regId
        self.transport = transport
        self.source = source
        self.userAgent = userAgent
        self.q = q
        self.callId = callId
        self.cseq = cseq
        self.path = path
        self.connectionId = connectionId
        self.localListener = localListener
        self.expiresAt = expiresAt
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
    }

    /// The view of `binding` at `now`.
    public init(_ binding: Binding, now: SIPTimestamp) {
        self.init(
            aor: binding.aor, contact: binding.contact, expires: now.seconds(until: binding.expiresAt),
            instrument: binding.instrument?.value, instance: binding.instance, regId: binding.regID,
            transport: binding.transport, source: binding.source, userAgent: binding.userAgent,
            q: Double(binding.q) / 1000, callId: binding.callID, cseq: binding.cseq, path: binding.path,
            connectionId: binding.connectionID, localListener: binding.localListener,
            expiresAt: ISO8601Time.format(binding.expiresAt), registeredAt: ISO8601Time.format(binding.registeredAt),
            updatedAt: ISO8601Time.format(binding.updatedAt)
        )
    }

    private enum CodingKeys: String, CodingKey {
        case aor, contact, expires, instrument, instance, regId, transport, source, userAgent, q, callId, cseq, path
        case connectionId, localListener, expiresAt, registeredAt, updatedAt
    }

    /// Encodes `null` for absent values instead of leaving the key out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(aor, forKey: .aor)
        try container.encode(contact, forKey: .contact)
        try container.encode(expires, forKey: .expires)
        try container.encode(instrument, forKey: .instrument)
        try container.encode(instance, forKey: .instance)
        try container.encode(regId, forKey: .regId)
        try container.encode(transport, forKey: .transport)
        try container.encode(source, forKey: .source)
        try container.encode(userAgent, forKey: .userAgent)
        try container.encode(q, forKey: .q)
        try container.encode(callId, forKey: .callId)
        try container.encode(cseq, forKey: .cseq)
        try container.encode(path, forKey: .path)
        try container.encode(connectionId, forKey: .connectionId)
        try container.encode(localListener, forKey: .localListener)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(registeredAt, forKey: .registeredAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
