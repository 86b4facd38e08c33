import Logging
import SIPCore
import SIPEvents
import SIPRegistrar
import SIPTransaction

/// The request path of the server, in one place: every new request walks these processors in
/// order until one answers it (repro's `makeRequestProcessorChain`). One processor per line.
/// (Overload control comes before the chain: ``SIPOverloadGate`` refuses new registrations
/// before a transaction is created.)
enum RequestChain {
    static func make(
        identity: SIPLocalIdentity, registrar: Registrar, subscriptions: SubscribeProcessor, logger: Logger
    ) -> SIPProcessorChain {
        let options = OptionsProcessor(identity: identity, serverHeader: SwitchboardVersion.productToken)
        return SIPProcessorChain(
            [
                MaxForwardsProcessor(identity: identity, options: options),  // §16.3: 483, or OPTIONS answered
                HeaderSyntaxProcessor(),  // §8.2.2: 400 for a Contact that does not parse
                options,  // §11: OPTIONS to us
                CancelProcessor(),  // §9.2
                RegistrarProcessor(registrar: registrar),  // §10.3
                subscriptions,  // RFC 6665 §4.2: SUBSCRIBE to our event packages (http-monitor)
                NotImplementedProcessor(),  // §8.2.1: 501 for what nothing claims yet
            ], logger: logger)
    }
}
