public import SIPCore
public import SIPStorage

/// What a template sees (a Mustache context of dictionaries and arrays):
///
/// | key | value |
/// |---|---|
/// | `mac`, `MAC` | the MAC, lower and upper case (`0000deadbeef`, `0000DEADBEEF`) |
/// | `vendor`, `model`, `label`, `version` | the instrument (`version`: its configuration version) |
/// | `lines` | the line appearances in order, each: `index`, `user`, `domain`, `aor`, `displayName` (the user when none), `authUser` (`69/0000DEADBEEF`), `password` |
/// | `line1`, `line2`, … | the line with that index (for vendors that number accounts by hand: Grandstream's P-values) |
/// | `sip` | `registrar`, `port`, `transport` (`udp`), `TRANSPORT` (`UDP`), `transportCode` (0 UDP, 1 TCP, 2 TLS), `udp`/`tcp`/`tls` (true for the one in use), `outboundProxy` (absent when none) |
/// | `resyncSeconds`, `resyncMinutes` | the re-sync period (`maxAge`) |
///
/// Common files see `sip`, `resyncSeconds` and `resyncMinutes` only.
public struct ConfigurationContext: @unchecked Sendable {
    // @unchecked: `values` holds only String, Int, Bool and arrays/dictionaries of them, built
    // once and never mutated after init.
    let values: [String: Any]

    /// The context of a phone's file. `passwords` maps a line index to its user's password
    /// (absent when the user no longer exists: the line is rendered without one).
    public init(
        instrument: ProvisionedInstrument, passwords: [Int: String], service: ProvisionedSIPService, resyncSeconds: Int
    ) {
        var values = Self.common(service: service, resyncSeconds: resyncSeconds)
        values["mac"] = instrument.id.value.lowercased()
        values["MAC"] = instrument.id.value
        values["vendor"] = instrument.vendor
        if let model = instrument.model { values["model"] = model }
        if let label = instrument.label { values["label"] = label }
        values["version"] = instrument.configurationVersion
        var lines: [[String: Any]] = []
        for line in instrument.lines {
            let entry: [String: Any] = [
                "index": line.index, "user": line.user, "domain": line.domain, "aor": line.addressOfRecord,
                "displayName": line.displayName ?? line.user, "authUser": line.authUsername(on: instrument.id),
                "password": passwords[line.index] ?? "",
            ]
            lines.append(entry)
            values["line\(line.index)"] = entry
        }
        values["lines"] = lines
        self.values = values
    }

    /// The context of a vendor's common file (no phone, no secret).
    public init(service: ProvisionedSIPService, resyncSeconds: Int) {
        values = Self.common(service: service, resyncSeconds: resyncSeconds)
    }

    private static func common(service: ProvisionedSIPService, resyncSeconds: Int) -> [String: Any] {
        var sip: [String: Any] = [
            "registrar": service.registrar, "port": service.port, "transport": service.transport.rawValue,
            "TRANSPORT": service.transport.rawValue.uppercased(),
            "transportCode": ProvisionedSIPService.Transport.allCases.firstIndex(of: service.transport) ?? 0,
            service.transport.rawValue: true,
        ]
        if let proxy = service.outboundProxy { sip["outboundProxy"] = proxy }
        return ["sip": sip, "resyncSeconds": resyncSeconds, "resyncMinutes": max(1, resyncSeconds / 60)]
    }
}
