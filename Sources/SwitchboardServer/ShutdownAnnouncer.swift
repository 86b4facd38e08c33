import Logging
import ServiceLifecycle

/// The first service of the group: logs `shutting down` the moment graceful shutdown begins
/// (SIGTERM, SIGINT), before the others stop accepting, finish their transactions and flush the
/// store; ``SwitchboardApplication/run()`` logs `shutdown complete` with what was flushed.
struct ShutdownAnnouncer: Service {
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.notice(
            "shutting down: no new connections, finishing transactions, flushing the store",
            metadata: ["event": "server.stopping"])
    }
}
