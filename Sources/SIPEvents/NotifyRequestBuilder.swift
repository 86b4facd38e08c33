public import SIPCore
public import SIPStorage

/// Builds a NOTIFY inside a subscription's dialog, the notifier being the UAS of the SUBSCRIBE
/// (RFC 3261 §12.2.1.1, RFC 6665 §4.2.2): Request-URI = the remote target, To = the
/// subscriber with its tag, From = us with our tag, the dialog's Call-ID, our next CSeq, Route =
/// the route set, `Event` with the SUBSCRIBE's id, `Subscription-State`, our Contact and a new
/// Via branch.
public enum NotifyRequestBuilder {
    public static func notify(
        _ record: StoredSubscription, state: SIPSubscriptionState, body: [UInt8], contentType: String,
        contact: String, via: String
    ) throws(SIPParseError) -> SIPRequest {
        var request = SIPRequest(method: .notify, uri: try SIPURI(parsing: record.remoteTarget))
        request.headers.append(.via, via)
        request.headers.append(.maxForwards, "70")
        request.headers.append(.to, "<\(record.remoteURI)>;tag=\(record.remoteTag)")
        request.headers.append(.from, "<\(record.localURI)>;tag=\(record.localTag)")
        request.headers.append(.callID, record.callID)
        request.headers.append(.cseq, "\(record.localCSeq) NOTIFY")
        for route in record.routeSet { request.headers.append(.route, route) }
        request.headers.append(.contact, contact)
        request.headers.append(.event, record.package + (record.eventID.isEmpty ? "" : ";id=\(record.eventID)"))
        request.headers.append(.subscriptionState, state.description)
        if !body.isEmpty { request.headers.append(.contentType, contentType) }
        request.headers.append(.contentLength, "\(body.count)")
        request.body = body
        return request
    }
}
