import Logging
import SIPAuth
import SIPCore
import SIPEvents
import SIPProxy
import SIPRegistrar
import SIPStorage
import SIPTransaction
import SIPTransport

/// The request path of the server, in one place: every new request walks these processors in
/// order until one answers it (repro's `makeRequestProcessorChain`). One processor per line.
/// (Overload control comes before the chain: ``SIPOverloadGate`` refuses new registrations
/// before a transaction is created.)
enum RequestChain {
    /// What the proxy steps need besides the registrar.
    struct ProxyParts {
        let setup: ProxySetup
        let location: LocationService
        let credentials: any CredentialStore
        let auth: AuthSetup
        let sender: any SIPMessageSender
        let scheduler: any SIPTimerScheduler
    }

    static func make(
        identity: SIPLocalIdentity, registrar: Registrar, subscriptions: SubscribeProcessor, proxy: ProxyParts,
        logger: Logger
    ) -> SIPProcessorChain {
        // OPTIONS to a user is for that user's phones: the proxy forwards it (§11).
        let options = OptionsProcessor(
            identity: identity, serverHeader: SwitchboardVersion.productToken, answersUserURIs: false)
        let setup = proxy.setup
        return SIPProcessorChain(
            [
                MaxForwardsProcessor(identity: identity, options: options),  // §16.3: 483, or OPTIONS answered
                HeaderSyntaxProcessor(),  // §8.2.2: 400 for a Contact that does not parse
                options,  // §11: OPTIONS to us
                CancelProcessor(handler: setup.sessions),  // §9.2, §16.10: 200, branches cancelled (or 487)
                RegistrarProcessor(registrar: registrar),  // §10.3
                // RFC 6665 §4.2: SUBSCRIBE to our event packages (http-monitor): answered here, as
                // a UAS, before the proxy steps (which would challenge it with 407 and forward it).
                subscriptions,
                ProxyRequireProcessor(),  // §16.3 step 5: 420
                LoopDetectionProcessor(listeners: setup.listeners),  // §16.3 step 4: 482
                RouteProcessor(listeners: setup.listeners, flowKey: setup.flowKey),  // §16.4
                ProxyAuthProcessor(  // §22.3: 407
                    policy: setup.policy, identity: identity, credentials: proxy.credentials,
                    challenger: proxy.auth.challenger, verifier: proxy.auth.verifier, limiter: proxy.auth.limiter),
                TargetProcessor(  // §16.5: AOR, ~~in~MAC, ~~in~USER&MAC; 404/480/403
                    listeners: setup.listeners, location: proxy.location, credentials: proxy.credentials,
                    relay: setup.policy.relay),
                ForwardingProcessor(  // §16.6–16.10: forking, best response, CANCEL, Timer C
                    listeners: setup.listeners, flowKey: setup.flowKey, resolver: setup.resolver,
                    scheduler: proxy.scheduler, timerC: setup.timerC, sessions: setup.sessions,
                    logger: logger),
                NotImplementedProcessor(),  // §8.2.1: 501 for what nothing claims
            ],
            statelessHandler: StatelessForwarder(  // §16.11: ACK for 2xx, stray 2xx
                listeners: setup.listeners, flowKey: setup.flowKey, sender: proxy.sender, logger: logger),
            logger: logger)
    }
}
