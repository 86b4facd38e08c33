public import SIPCore

/// What a transaction state machine asks its driver to do (RFC 3261 §17). The machines never
/// perform I/O; the driver carries out the actions in order.
public enum SIPTransactionAction: Sendable, Hashable {
    /// Send a message: the request (and ACK for a non-2xx) to the client transaction's
    /// destination, or a response to the source of the server transaction's request.
    case send(SIPMessage)
    /// Start (or restart) a timer.
    case startTimer(SIPTransactionTimer, Duration)
    /// Stop a timer that is no longer needed.
    case cancelTimer(SIPTransactionTimer)
    /// Hand a message to the transaction user.
    case passToTU(SIPMessage)
    /// Tell the TU the transaction timed out (timer B, F or H).
    case timeout
    /// Tell the TU that the transport failed to send (§17.1.4, §17.2.4).
    case transportError
    /// The transaction has reached Terminated: forget it and stop all its timers.
    case terminate
}
