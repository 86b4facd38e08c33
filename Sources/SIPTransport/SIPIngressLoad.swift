import Synchronization

/// How far behind the UDP listeners are reading: the transport's overload signal.
///
/// Each UDP socket reads up to ``maxMessagesPerRead`` datagrams per read cycle. A cycle that
/// comes back full means more datagrams were already queued in the socket; several full
/// cycles in a row mean the socket's receive queue is deep — the event loop is not keeping up
/// and the kernel will soon drop datagrams (and clients will retransmit, adding load). A socket
/// counts as backlogged after ``backlogCycles`` consecutive full cycles and stops counting at
/// the first cycle that is not full. Reading the signal is one atomic load, so a request
/// processor can consult it for every request and shed new work early (503 with Retry-After,
/// RFC 3261 §21.5.4) before it costs digest or storage work.
public final class SIPIngressLoad: Sendable {
    /// Datagrams read per cycle (NIO's `maxMessagesPerRead` for the UDP channels).
    public let maxMessagesPerRead: Int
    /// Consecutive full cycles after which a socket counts as backlogged.
    public let backlogCycles: Int
    private let backlogged = Atomic<Int>(0)

    public init(maxMessagesPerRead: Int = 16, backlogCycles: Int = 4) {
        self.maxMessagesPerRead = max(1, maxMessagesPerRead)
        self.backlogCycles = max(1, backlogCycles)
    }

    /// True while at least one UDP socket has a deep receive queue.
    public var isBacklogged: Bool { backlogged.load(ordering: .relaxed) > 0 }

    /// One socket's view: called by its handler, on its event loop only.
    struct Socket {
        var fullCycles = 0
        var isBacklogged = false
    }

    /// Records the end of a read cycle that read `reads` datagrams on `socket`.
    func cycleEnded(reads: Int, socket: inout Socket) {
        if reads >= maxMessagesPerRead {
            socket.fullCycles += 1
            if !socket.isBacklogged, socket.fullCycles >= backlogCycles {
                socket.isBacklogged = true
                backlogged.add(1, ordering: .relaxed)
            }
        } else {
            socket.fullCycles = 0
            if socket.isBacklogged {
                socket.isBacklogged = false
                backlogged.subtract(1, ordering: .relaxed)
            }
        }
    }

    /// A socket closed while backlogged.
    func socketClosed(_ socket: inout Socket) {
        if socket.isBacklogged {
            socket.isBacklogged = false
            backlogged.subtract(1, ordering: .relaxed)
        }
    }
}
