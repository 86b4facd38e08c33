public import SIPCore

/// The end of the chain (RFC 3261 §8.2.1, §21.5.2): a method nothing claimed gets 501 Not
/// Implemented with the chain's `Allow`.
public struct NotImplementedProcessor: SIPRequestProcessor {
    public init() {}

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        throw SIPResponseError(
            501, "Not Implemented", headers: [SIPHeaderField(.allow, context.capabilities.allowValue)],
            outcome: SIPRequestEvent.defaultOutcome(method: context.request.method, status: 501))
    }
}
