public import SIPCore
public import SIPTransport

/// Why a server transaction ended without the TU's final response reaching the client.
public enum SIPTransactionFailure: Sendable, Hashable {
    /// Timer H fired: no ACK arrived for a non-2xx final response to an INVITE (§17.2.1).
    case timeout
    /// The transport could not send a response (§17.2.4).
    case transportError
    /// The transaction outlived ``SIPTransactionLayer/Configuration/maximumLifetime`` (for
    /// example, the TU never answered) and was reaped.
    case lifetimeExceeded
}

/// The transaction user (RFC 3261 §17): the UA core, registrar or proxy core above the
/// transaction layer.
///
/// Every method is called outside the transaction layer's locks, on the thread that delivered
/// the message or fired the timer — usually a NIO event loop. Implementations must not block;
/// hand work to a `Task` and respond through the handle later.
public protocol SIPTransactionUser: Sendable {
    /// A request that created a new server transaction (every method but ACK; CANCEL included:
    /// find the INVITE it cancels with ``SIPTransactionLayer/inviteTransaction(forCancel:)``).
    /// Respond through `transaction`.
    func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle)

    /// An ACK that belongs to no INVITE transaction in Completed state: the ACK for a 2xx, which
    /// is its own transaction (§17, §13.2.2.4), or one matching an Accepted INVITE transaction
    /// (RFC 6026 §7.1). A proxy forwards it statelessly (§16.7).
    func handleACK(_ ack: SIPRequest, source: SIPSource)

    /// A response that matched no client transaction (§18.1.2: passed to the core; a proxy
    /// forwards 2xx retransmissions this way, §16.7).
    func handleStrayResponse(_ response: SIPResponse, source: SIPSource)

    /// A server transaction ended with a timeout, transport error or by the reaper.
    func serverTransactionFailed(_ transaction: SIPServerTransactionHandle, reason: SIPTransactionFailure)
}

extension SIPTransactionUser {
    public func handleACK(_ ack: SIPRequest, source: SIPSource) {}
    public func handleStrayResponse(_ response: SIPResponse, source: SIPSource) {}
    public func serverTransactionFailed(_ transaction: SIPServerTransactionHandle, reason: SIPTransactionFailure) {}
}
