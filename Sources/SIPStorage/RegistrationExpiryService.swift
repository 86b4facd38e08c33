public import Logging
public import SIPCore
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
    let clock: any SIPClock

    /// - Parameters:
    ///   - interval: the time between purges.
    ///   - clock: the wall clock bindings expire by (default ``SystemClock``).
    public init(
        store: any LocationStore, location: LocationService, interval: Duration, logger: Logger,
        clock: any SIPClock = SystemClock()
    ) {
        self.store = store
        self.location = location
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    /// Restores the location service from the store. Call before the SIP listeners start.
    public func restore() async throws {
        let bindings = try await store.unexpiredBindings(at: clock.now())
        location.load(bindings)
        logger.info("restored bindings", metadata: ["count": .stringConvertible(bindings.count)])
    }

    /// Purges once; returns the number of bindings removed.
    @discardableResult
    public func purge() async throws -> Int {
        let expired = try await store.purgeExpired(at: clock.now())
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
