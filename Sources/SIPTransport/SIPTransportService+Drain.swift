import Logging
import NIOCore
import Synchronization

/// Graceful shutdown in three steps, so that a request taken in before SIGTERM is answered
/// (RFC 3261 §17.2.2: a server transaction that received a request owes it a final response):
///
/// 1. stop reading: the TCP/TLS listening sockets are closed (no new connections) and the UDP
///    sockets and open connections stop reading (`autoRead` off); they stay open for writing;
/// 2. wait until the work already taken in is done (``setDrainCondition(_:)``, e.g. the binding
///    writer has no commit queued), then run one task on every event loop, so the completions
///    queued there (which write the 200s) have run; at most ``SIPTransportLimits/drainTimeout``;
/// 3. close every socket (``SIPTransportService/run()``).
///
/// Without a drain condition, or on cancellation, the sockets close at once.
extension SIPTransportService {
    /// Sets what graceful shutdown waits for, having stopped reading, before it closes the
    /// sockets: `isIdle` returns true once nothing taken in still waits for its answer. Polled
    /// every few milliseconds, from a task (not an event loop).
    public func setDrainCondition(_ isIdle: @escaping @Sendable () -> Bool) {
        state.withLock { $0.drainCondition = isIdle }
    }

    func drain() async {
        let (isIdle, listening, readers) = state.withLock { state in
            (
                state.drainCondition, state.serverChannels,
                state.udpListeners.flatMap(\.channels) + state.connections.allEntries.map(\.handle)
            )
        }
        guard let isIdle else { return }
        for channel in listening { try? await channel.close() }
        for channel in readers { try? await channel.setOption(ChannelOptions.autoRead, value: false) }
        let started = ContinuousClock.now
        let deadline = started + configuration.limits.drainTimeout
        var drained = false
        while !Task.isCancelled {
            if isIdle() {
                await settleEventLoops()
                if isIdle() {
                    drained = true
                    break
                }
            }
            guard ContinuousClock.now < deadline else { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let waited = ContinuousClock.now - started
        if drained {
            logger.info("SIP transport drained: every request taken in was answered", metadata: ["waited": "\(waited)"])
        } else {
            logger.warning("SIP transport closing with requests still unanswered", metadata: ["waited": "\(waited)"])
        }
    }

    /// Runs one empty task on every event loop: what was queued on them before has run.
    func settleEventLoops() async {
        for loop in group.makeIterator() { try? await loop.submit {}.get() }
    }
}
