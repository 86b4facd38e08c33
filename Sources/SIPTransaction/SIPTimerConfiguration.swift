/// The timer values of RFC 3261 §17 (Table 4 in Appendix A) and RFC 6026 §8.
///
/// Every lettered timer is derived from the three base values:
///
/// | Timer | Value | Meaning |
/// | --- | --- | --- |
/// | T1 | 500 ms (``t1``) | RTT estimate; first retransmit interval |
/// | T2 | 4 s (``t2``) | cap on non-INVITE request and INVITE response retransmit intervals |
/// | T4 | 5 s (``t4``) | how long a message stays in the network |
/// | A | T1, doubling | INVITE request retransmit, unreliable transports only |
/// | B | 64·T1 | INVITE client transaction timeout |
/// | D | ``timerD`` (32 s) on UDP, 0 on TCP/TLS | wait for response retransmissions |
/// | E | T1, doubling up to T2 | non-INVITE request retransmit, unreliable only |
/// | F | 64·T1 | non-INVITE client transaction timeout |
/// | G | T1, doubling up to T2 | INVITE final-response retransmit, unreliable only |
/// | H | 64·T1 | wait for ACK |
/// | I | T4 on UDP, 0 on TCP/TLS | wait for ACK retransmissions |
/// | J | 64·T1 on UDP, 0 on TCP/TLS | wait for non-INVITE request retransmissions |
/// | K | T4 on UDP, 0 on TCP/TLS | wait for non-INVITE response retransmissions |
/// | L | 64·T1 | RFC 6026: wait for accepted INVITE request retransmissions |
/// | M | 64·T1 | RFC 6026: wait for retransmitted or forked 2xx |
///
/// ``tryingDelay`` (200 ms) is how long an INVITE server transaction waits for the TU's own
/// provisional response before it sends 100 (Trying) itself (§17.2.1); `.zero` sends it at once.
public struct SIPTimerConfiguration: Sendable, Hashable {
    /// T1, the round-trip time estimate. Default 500 ms.
    public var t1: Duration
    /// T2, the maximum retransmit interval for non-INVITE requests and INVITE responses. Default 4 s.
    public var t2: Duration
    /// T4, the maximum duration a message remains in the network. Default 5 s.
    public var t4: Duration
    /// Timer D on unreliable transports; the RFC asks for at least 32 s. Default 32 s.
    public var timerD: Duration
    /// Delay before an INVITE server transaction sends 100 (Trying) on its own. Default 200 ms.
    public var tryingDelay: Duration

    public init(
        t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5),
        timerD: Duration = .seconds(32), tryingDelay: Duration = .milliseconds(200)
    ) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.timerD = timerD
        self.tryingDelay = tryingDelay
    }

    /// The RFC 3261 defaults.
    public static let `default` = SIPTimerConfiguration()

    /// 64·T1: timers B, F, H, J (unreliable), L and M.
    public var transactionTimeout: Duration { t1 * 64 }

    /// Checks that T1 is positive, T2 ≥ T1 and no value is negative.
    public func validate() throws(SIPTransactionError) {
        guard t1 > .zero, t2 >= t1, t4 >= .zero, timerD >= .zero, tryingDelay >= .zero else {
            throw SIPTransactionError(.invalidConfiguration, "timer values must satisfy T1 > 0, T2 ≥ T1, others ≥ 0")
        }
    }
}
