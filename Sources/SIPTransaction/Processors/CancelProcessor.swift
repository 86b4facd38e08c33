public import SIPCore

/// CANCEL (RFC 3261 §9.2): when it matches an INVITE server transaction that has not sent a
/// final response, 200 to the CANCEL and 487 Request Terminated to the INVITE; otherwise 481.
public struct CancelProcessor: SIPRequestProcessor {
    public init() {}

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method == .cancel else { return .continue }
        guard let invite = context.transaction.cancelledInviteTransaction() else {
            throw SIPResponseError(481, "Call/Transaction Does Not Exist", outcome: "cancel.no_transaction")
        }
        try? invite.respond(SIPResponse(answering: invite.request, statusCode: 487, toTag: SIPTag.random()))
        context.event.outcome = "cancel.ok"
        return .respond(SIPResponse(answering: context.request, statusCode: 200, toTag: SIPTag.random()))
    }
}
