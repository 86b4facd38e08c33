public import SIPCore

/// Which requests the proxy authenticates (RFC 3261 §22.3) and who may send through it.
public struct ProxyAuthPolicy: Sendable {
    /// Methods whose requests from our users must carry valid Proxy-Authorization
    /// (default SUBSCRIBE, INVITE, MESSAGE, REFER).
    public var methods: Set<SIPMethod>
    /// Source IP addresses that are neither challenged nor refused relaying (gateways, other
    /// proxies of the domain).
    public var trustedPeers: Set<String>
    /// The digest realm.
    public var realm: String
    /// When true, the user part of the auth username must be the From user (a phone sends
    /// only as its own lines).
    public var requireFromMatch: Bool
    /// Who may send requests to domains that are not ours (RFC 3261 §16.5 "relaying").
    public var relay: RelayPolicy

    /// Who may reach non-local domains through the proxy.
    public enum RelayPolicy: String, Sendable, Hashable {
        /// Authenticated users and trusted peers (the default: no open relay).
        case authenticated
        /// Anyone.
        case open
        /// No one (in-dialog requests of dialogs we record-routed still pass).
        case never
    }

    public static let defaultMethods: Set<SIPMethod> = [.subscribe, .invite, .message, .refer]

    public init(
        methods: Set<SIPMethod> = ProxyAuthPolicy.defaultMethods, trustedPeers: Set<String> = [], realm: String,
        requireFromMatch: Bool = true, relay: RelayPolicy = .authenticated
    ) {
        self.methods = methods
        self.trustedPeers = trustedPeers
        self.realm = realm
        self.requireFromMatch = requireFromMatch
        self.relay = relay
    }
}
