/// How a phone vendor's firmware is told to fetch its configuration again when it does not
/// subscribe to http-monitor (most deployed phones): an out-of-dialog NOTIFY with a vendor
/// event (peers.md §5; sipXecs, Asterisk and FreeSWITCH send the same).
///
/// | vendor | Event |
/// |---|---|
/// | snom | `check-sync;reboot=false` (reload, no reboot; `checksync_action` on the phone) |
/// | Polycom | `check-sync;reboot=false` (`voIpProt.SIP.specialEvent.checkSync.alwaysReboot=0`) |
/// | Yealink | `check-sync;reboot=false` (`sip.notify_reboot_enable=0`: reboot only for `reboot=true`) |
/// | Grandstream, Fanvil | `check-sync` |
/// | Cisco SPA/MPP | `resync` (`Resync_From_SIP`; the phone challenges it with 401) |
public enum ResyncMechanism: Sendable, Hashable {
    case checkSync(noReboot: Bool)
    case resync

    /// The mechanism of `vendor` (`snom`, `polycom`, …), or nil for a vendor without one.
    public init?(vendor: String) {
        switch vendor.lowercased() {
        case "snom", "polycom", "yealink": self = .checkSync(noReboot: true)
        case "grandstream", "fanvil": self = .checkSync(noReboot: false)
        case "cisco": self = .resync
        default: return nil
        }
    }

    /// The `Event` header value.
    public var event: String {
        switch self {
        case .checkSync(let noReboot): noReboot ? "check-sync;reboot=false" : "check-sync"
        case .resync: "resync"
        }
    }

    /// The vendors that have a mechanism, for configuration messages.
    public static let vendors = ["snom", "polycom", "yealink", "grandstream", "fanvil", "cisco"]
}
