/// The timers of RFC 3261 §17 (A–K), RFC 6026 §8 (L, M) and the 200 ms 100 (Trying) timer of
/// §17.2.1. A transaction has at most one running instance of each.
public enum SIPTransactionTimer: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// INVITE request retransmission (client, unreliable transports).
    case a
    /// INVITE client transaction timeout.
    case b
    /// Wait time for response retransmissions in the INVITE client Completed state.
    case d
    /// Non-INVITE request retransmission (client, unreliable transports).
    case e
    /// Non-INVITE client transaction timeout.
    case f
    /// INVITE final response retransmission (server, unreliable transports).
    case g
    /// Wait time for ACK receipt.
    case h
    /// Wait time for ACK retransmissions.
    case i
    /// Wait time for non-INVITE request retransmissions.
    case j
    /// Wait time for non-INVITE response retransmissions.
    case k
    /// RFC 6026: wait time for INVITE retransmissions after a 2xx was sent.
    case l
    /// RFC 6026: wait time for 2xx retransmissions after the first 2xx was received.
    case m
    /// §17.2.1: send 100 (Trying) if the TU has not answered an INVITE in time.
    case trying

    public var description: String {
        switch self {
        case .a: "A"
        case .b: "B"
        case .d: "D"
        case .e: "E"
        case .f: "F"
        case .g: "G"
        case .h: "H"
        case .i: "I"
        case .j: "J"
        case .k: "K"
        case .l: "L"
        case .m: "M"
        case .trying: "Trying"
        }
    }
}
