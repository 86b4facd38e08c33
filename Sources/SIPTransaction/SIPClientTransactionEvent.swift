public import SIPCore

/// What a client transaction reports to its TU (RFC 3261 §17.1).
public enum SIPClientTransactionEvent: Sendable, Hashable {
    /// A response passed up: every provisional response, the final response, and for an
    /// INVITE every further 2xx (retransmissions or forks, RFC 6026 §7.2).
    case response(SIPResponse)
    /// Timer B or F fired without a final response (the TU treats it as a 408, §8.1.3.1).
    case timeout
    /// The transport failed to send the request (treated as a 503, §8.1.3.1).
    case transportError
}
