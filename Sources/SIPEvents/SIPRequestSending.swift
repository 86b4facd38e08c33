public import SIPCore
public import SIPTransport

/// Sends a request in a client transaction and reports its final response: how the notifier
/// sends NOTIFYs (RFC 6665 §4.2.2: retransmitted by the transaction, RFC 3261 §17.1.2). The
/// server implements it over `SIPTransactionLayer`; tests fake it.
public protocol SIPRequestSending: Sendable {
    /// The final response, or nil when none came (Timer F, or the transport failed).
    func send(_ request: SIPRequest, to destination: SIPDestination) async -> SIPResponse?
    /// A new `z9hG4bK` branch for the request's Via.
    func makeBranch() -> String
}
