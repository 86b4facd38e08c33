import Synchronization

/// How far behind the UDP listeners are reading: the transport's overload signal.
///
/// Each UDP socket reads up to ``maxMessagesPerRead`` datagrams per read cycle. A cycle that
/// comes back full means more datagrams were already waiting in the socket. A server that keeps
/// up still sees full cycles now and then (bursts, a slow request); one that does not keep up
/// sees nothing else: its receive queue never drains, latency grows towards the clients'
/// retransmission timers (T1 = 500 ms), and the kernel eventually drops datagrams. So a socket
/// counts as backlogged once every cycle has come back full for ``backlogAfter`` (default
/// 400 ms: most of T1, after which clients retransmit), and stops counting at the first cycle that is not full.
///
/// Reading the signal is one atomic load, so a request processor can consult it for every
/// request and shed new work early (503 with Retry-After, RFC 3261 §21.5.4) before it costs
/// digest or storage work.
public final class SIPIngressLoad: Sendable {
    /// Datagrams read per cycle (NIO's `maxMessagesPerRead` for the UDP channels).
    public let maxMessagesPerRead: Int
    /// How long every read cycle must come back full before the socket counts as backlogged.
    public let backlogAfter: Duration
    private let backlogged = Atomic<Int>(0)

    public init(maxMessagesPerRead: Int = 16, backlogAfter: Duration = .milliseconds(400)) {
        self.maxMessagesPerRead = max(1, maxMessagesPerRead)
        self.backlogAfter = backlogAfter
    }

    /// True while at least one UDP socket has stayed behind for ``backlogAfter``.
    public var isBacklogged: Bool { backlogged.load(ordering: .relaxed) > 0 }

    /// One socket's view: kept by its handler, on its event loop only.
    struct Socket {
        /// When the current run of full cycles began; nil when the last cycle was not full.
        var fullSince: ContinuousClock.Instant?
        var isBacklogged = false
    }

    /// Records the end of a read cycle that read `reads` datagrams on `socket`, at `now`.
    func cycleEnded(reads: Int, socket: inout Socket, now: @autoclosure () -> ContinuousClock.Instant = .now) {
        guard reads >= maxMessagesPerRead else {
            socket.fullSince = nil
            if socket.isBacklogged {
                socket.isBacklogged = false
                backlogged.subtract(1, ordering: .relaxed)
            }
            return
        }
        let now = now()
        guard let since = socket.fullSince else {
            socket.fullSince = now
            return
        }
        if !socket.isBacklogged, now - since >= backlogAfter {
            socket.isBacklogged = true
            backlogged.add(1, ordering: .relaxed)
        }
    }

    /// A socket closed while backlogged.
    func socketClosed(_ socket: inout Socket) {
        socket.fullSince = nil
        if socket.isBacklogged {
            socket.isBacklogged = false
            backlogged.subtract(1, ordering: .relaxed)
        }
    }
}
