public import SIPCore

/// CANCEL (RFC 3261 §9.2, §16.10): when it matches an INVITE server transaction that has not
/// sent a final response, 200 to the CANCEL; then either the ``SIPCancelHandler`` that forwarded
/// the INVITE cancels its branches (a proxy: the INVITE's final response comes from them), or
/// the INVITE is answered 487 Request Terminated here. Otherwise 481.
public struct CancelProcessor: SIPRequestProcessor {
    let handler: (any SIPCancelHandler)?

    public init(handler: (any SIPCancelHandler)? = nil) {
        self.handler = handler
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method == .cancel else { return .continue }
        guard let invite = context.transaction.cancelledInviteTransaction() else {
            throw SIPResponseError(481, "Call/Transaction Does Not Exist", outcome: "cancel.no_transaction")
        }
        context.event.outcome = "cancel.ok"
        let ok = SIPResponse(answering: context.request, statusCode: 200, toTag: SIPTag.random())
        if let handler, handler.cancel(invite) {
            // §16.10: the CANCEL is answered 200 and the pending branches are cancelled.
            return .respond(ok)
        }
        try? invite.respond(SIPResponse(answering: invite.request, statusCode: 487, toTag: SIPTag.random()))
        return .respond(ok)
    }
}

/// Something that forwarded an INVITE and can cancel it (RFC 3261 §16.10: the proxy core).
public protocol SIPCancelHandler: Sendable {
    /// Cancels the forwarding of `invite`'s request; false when it is not forwarding it.
    func cancel(_ invite: SIPServerTransactionHandle) -> Bool
}
