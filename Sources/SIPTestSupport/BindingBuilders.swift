public import SIPCore
public import SIPStorage

/// A binding with realistic fields, for storage, location-service, planner and admin tests
/// (RFC 3261 §10.3; RFC 5626 instance and reg-id; RFC 3327 Path).
///
/// Every field has a default; `index` varies the ones that must differ between bindings of a
/// bulk test (contact, source, Call-ID, CSeq).
///
/// - Parameters:
///   - user, domain: the AOR `sip:user@domain` (canonical), unless `aor` is given.
///   - contact: default `sip:USER@192.0.2.N:PORT;transport=tcp` from `index`.
///   - expiresAt: absolute expiry in seconds since 1970; when nil, `expiresIn` seconds after `at`.
///   - at: when it was registered and last updated (default ``ManualClock/defaultStart``).
///   - callID, cseq: default `call-USER-INDEX` and `index + 1`.
///   - source: default `192.0.2.N:PORT` from `index`.
public func makeBinding(
    user: String = "69", domain: String = "example.net", aor: String? = nil, index: Int = 0,
    contact: String? = nil, expiresAt: Int64? = nil, expiresIn: Int64 = 3600, q: Int = 1000,
    callID: String? = nil, cseq: UInt32? = nil, instrument: String? = "0000DEADBEEF", instance: String? = nil,
    regID: Int? = nil, at registeredAt: SIPTimestamp = ManualClock.defaultStart,
    path: [String] = ["<sip:edge.example.net;lr>"], source: String? = nil, transport: String = "tcp",
    connectionID: UInt64? = nil, localListener: String = "0.0.0.0:5060", userAgent: String? = "TestPhone/1.0"
) -> Binding {
    let host = "192.0.2.\(index % 250 + 1):\(5060 + index)"
    return Binding(
        aor: aor ?? Binding.canonicalAOR(user: user, domain: domain),
        contact: contact ?? "sip:\(user)@\(host);transport=tcp",
        expiresAt: expiresAt.map(SIPTimestamp.init(secondsSince1970:)) ?? registeredAt.adding(seconds: expiresIn),
        q: q, callID: callID ?? "call-\(user)-\(index)", cseq: cseq ?? UInt32(index + 1),
        instrument: instrument.flatMap { SIPInstrumentID($0) }, instance: instance, regID: regID, path: path,
        source: source ?? host, transport: transport, connectionID: connectionID, localListener: localListener,
        userAgent: userAgent, registeredAt: registeredAt, updatedAt: registeredAt)
}
