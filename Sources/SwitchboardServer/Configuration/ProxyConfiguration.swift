public import Configuration

/// The forking proxy (RFC 3261 §16). Keys (scope `proxy`): `authMethods` (string array of
/// methods whose requests from our users need Proxy-Authorization, default
/// `[SUBSCRIBE, INVITE, MESSAGE, REFER]`), `trustedPeers` (string array of source IP addresses
/// neither challenged nor refused relaying, default empty), `relay` (`authenticated` | `open` |
/// `never`, default `authenticated`: who may send to domains that are not ours), `timerC`
/// (seconds, 181; RFC 3261 §16.6 step 11 asks for more than 3 minutes), `recordRouteHost`
/// (the host written in Record-Route and Via for wildcard listeners, default the first domain).
public struct ProxyConfiguration: Sendable {
    public var authMethods: [String]
    public var trustedPeers: [String]
    public var relay: String
    public var timerCSeconds: Int
    public var recordRouteHost: String?

    public init() {
        authMethods = ["SUBSCRIBE", "INVITE", "MESSAGE", "REFER"]
        trustedPeers = []
        relay = "authenticated"
        timerCSeconds = 181
        recordRouteHost = nil
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        authMethods = reader.stringArray(forKey: "authMethods", default: authMethods).map { $0.uppercased() }
        trustedPeers = reader.stringArray(forKey: "trustedPeers", default: trustedPeers)
        relay = try reader.choice("relay", default: relay, ["authenticated", "open", "never"])
        timerCSeconds = try reader.int("timerC", default: timerCSeconds, in: 1...3_600)
        recordRouteHost = reader.string(forKey: "recordRouteHost")
    }
}
