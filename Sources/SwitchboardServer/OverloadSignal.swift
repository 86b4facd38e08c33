import Logging
import SIPStorage
import SIPTransport
import Synchronization

/// The server's overload signal for ``SIPOverloadGate``: a UDP socket whose receive queue
/// stays deep (``SIPIngressLoad``) or a group-commit backlog above the configured limit
/// (``BindingWriter/backlog``). Two atomic loads per request; each change of state is logged
/// once (notice when it starts, with which part is high; info when it ends), so operators see
/// why REGISTERs got 503.
final class OverloadSignal: Sendable {
    let ingress: SIPIngressLoad
    let writer: BindingWriter
    let commitBacklogLimit: Int
    let logger: Logger
    private let reported = Atomic(false)

    init(ingress: SIPIngressLoad, writer: BindingWriter, commitBacklogLimit: Int, logger: Logger) {
        self.ingress = ingress
        self.writer = writer
        self.commitBacklogLimit = commitBacklogLimit
        self.logger = logger
    }

    var isOverloaded: Bool {
        let receiveBacklog = ingress.isBacklogged
        let commitBacklog = writer.backlog
        let overloaded = receiveBacklog || commitBacklog > commitBacklogLimit
        if overloaded != reported.load(ordering: .relaxed),
            reported.compareExchange(expected: !overloaded, desired: overloaded, ordering: .relaxed).exchanged
        {
            if overloaded {
                logger.notice(
                    "overload: admitting fewer new registrations (503 + Retry-After)",
                    metadata: [
                        "event": "overload.start", "receive_backlog": "\(receiveBacklog)",
                        "commit_backlog": "\(commitBacklog)", "commit_backlog_limit": "\(commitBacklogLimit)",
                    ])
            } else {
                logger.info("overload: over", metadata: ["event": "overload.end", "commit_backlog": "\(commitBacklog)"])
            }
        }
        return overloaded
    }
}
