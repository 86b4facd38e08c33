import Crypto
import Logging
import SIPAuth
import SIPCore
import SIPProxy
import SIPStorage
import SIPTransaction
import SIPTransport

/// The proxy's parts built from the configuration: which listeners are "us" (updated with the
/// bound ports once the transport started), the flow-token key (derived from the nonce
/// secret, so Record-Route flow tokens survive a restart), the authentication policy, the
/// resolver and the table of INVITEs being forwarded (for CANCEL).
struct ProxySetup {
    let listeners: ProxyListeners
    let flowKey: FlowTokenKey
    let policy: ProxyAuthPolicy
    let resolver = SIPTargetResolver()
    let sessions = ProxySessions()
    let timerC: Duration

    init(
        configuration: SwitchboardConfiguration, transport: SIPTransportConfiguration, identity: SIPLocalIdentity,
        secret: [UInt8]
    ) throws {
        listeners = ProxyListeners(
            listeners: transport.listeners.map { ($0.url.transport, $0.url.host, $0.url.port) }, identity: identity,
            advertisedHost: configuration.proxy.recordRouteHost)
        var hasher = SHA256()
        hasher.update(data: Array("switchboard flow token".utf8))
        hasher.update(data: secret)
        flowKey = FlowTokenKey(bytes: Array(hasher.finalize()))
        var methods: Set<SIPMethod> = []
        for name in configuration.proxy.authMethods {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter }) else {
                throw SwitchboardConfigurationError(key: "proxy.authMethods", "invalid method \(name)")
            }
            methods.insert(SIPMethod(name))
        }
        policy = ProxyAuthPolicy(
            methods: methods, trustedPeers: Set(configuration.proxy.trustedPeers), realm: configuration.auth.realm,
            requireFromMatch: configuration.auth.requireAORMatch,
            relay: ProxyAuthPolicy.RelayPolicy(rawValue: configuration.proxy.relay) ?? .authenticated)
        timerC = .seconds(configuration.proxy.timerCSeconds)
    }

    /// Takes the ports the listeners were bound to (port 0 in the configuration).
    func update(bound: [SIPBoundListener]) {
        listeners.update(bound.map { ($0.transport, $0.configured.url.host, $0.port) })
    }
}
