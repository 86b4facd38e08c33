public import Logging
public import ServiceLifecycle

/// Loads the unexpired bindings into the ``LocationService`` at start (restart restore) and then
/// purges expired bindings from the store every interval, removing them from the location
/// service too (RFC 3261 §10.3: a binding is removed when its expiration interval elapses).
/// The store publishes an `expired` change for each purged binding.
public final class RegistrationExpiryService: Service, Sendable {
    let store: any LocationStore
    let location: LocationService
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> SIPTimestamp

    public init(
        store: any LocationStore, location: LocationService, interval: Duration, logger: Logger,
        now: @escaping @Sendable () -> SIPTimestamp = { SIPTimestamp.now() }
    ) {
        self.store = store
        self.location = location
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    /// Restores the location service from the store. Call before the SIP listeners start.
    public func restore() async throws {
        let bindings = try await store.unexpiredBindings(at: now())
        location.load(bindings)
        logger.info("restored bindings", metadata: ["count": .stringConvertible(bindings.count)])
    }

    /// Purges once; returns the number of bindings removed.
    @discardableResult
    public func purge() async throws -> Int {
        let expired = try await store.purgeExpired(at: now())
        if !expired.isEmpty {
            location.apply(expired.map { BindingChange(kind: .expired, binding: $0) })
            logger.debug("purged expired bindings", metadata: ["count": .stringConvertible(expired.count)])
        }
        return expired.count
    }

    /// Purges every ``interval`` until cancelled or shut down gracefully. The wait between purges
    /// ends at once on graceful shutdown, so it never holds up a SIGTERM for an interval.
    public func run() async throws {
        let interval = self.interval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do { try await purge() } catch { logger.error("purging expired bindings failed", metadata: ["error": "\(error)"]) }
        }
    }
}
