public import SIPCore

/// Max-Forwards validation (RFC 3261 §16.3 step 2, §11): a request with Max-Forwards 0 goes no
/// further. OPTIONS is answered 200 as if addressed to us (this element "acts as the final
/// recipient", §11); a REGISTER for one of our domains is for us anyway and passes; every other
/// request gets 483 Too Many Hops.
public struct MaxForwardsProcessor: SIPRequestProcessor {
    let identity: SIPLocalIdentity
    let options: OptionsProcessor

    public init(identity: SIPLocalIdentity, options: OptionsProcessor) {
        self.identity = identity
        self.options = options
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.essentials.maxForwards == 0 else { return .continue }
        let request = context.request
        if request.method == .options { return try options.answer(&context) }
        if request.method == .register, identity.isOurDomain(request.uri) { return .continue }
        throw SIPResponseError(483, "Too Many Hops", outcome: SIPRequestEvent.defaultOutcome(method: request.method, status: 483))
    }
}
