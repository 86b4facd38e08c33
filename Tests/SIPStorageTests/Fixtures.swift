import SIPCore
import SIPStorage

/// A binding with realistic fields; `index` varies the contact and Call-ID.
func makeBinding(
    user: String = "69", domain: String = "example.net", index: Int = 0, expiresAt: Int64 = 100_000,
    instrument: String? = "0000DEADBEEF", instance: String? = nil, regID: Int? = nil, q: Int = 1000,
    connectionID: UInt64? = nil
) -> Binding {
    Binding(
        aor: Binding.canonicalAOR(user: user, domain: domain),
        contact: "sip:\(user)@192.0.2.\(index % 250 + 1):\(5060 + index);transport=tcp",
        expiresAt: SIPTimestamp(secondsSince1970: expiresAt), q: q, callID: "call-\(user)-\(index)", cseq: UInt32(index + 1),
        instrument: instrument.flatMap { SIPInstrumentID($0) }, instance: instance, regID: regID,
        path: ["<sip:edge.example.net;lr>"], source: "192.0.2.\(index % 250 + 1):\(5060 + index)", transport: "tcp",
        connectionID: connectionID, localListener: "0.0.0.0:5060", userAgent: "TestPhone/1.0",
        registeredAt: SIPTimestamp(secondsSince1970: 1_000), updatedAt: SIPTimestamp(secondsSince1970: 1_000))
}
