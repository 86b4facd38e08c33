/// The version of this build, printed by `switchboard --version` and sent in Server and
/// User-Agent headers.
public enum SwitchboardVersion {
    public static let current = "0.1.0"
    /// The product token for Server / User-Agent headers (RFC 3261 §20.35).
    public static let productToken = "Switchboard/\(current)"
}
