import Logging
import SIPCore
import SIPEvents
import SIPStorage
import SIPTransport
import ServiceLifecycle

/// Tells the notifier about configuration changes (RFC 6011 §2.5.1): once SIP is up it
/// restores the stored subscriptions, then turns every committed provisioning change into an
/// http-monitor notification of that instrument's subscribers (`removed` ends them with
/// `reason=noresource`); a phone without a subscription gets its vendor's resync NOTIFY when
/// `events.resync` names its vendor.
struct ProvisioningChangeRelay: Service {
    let changes: ProvisioningChangeFeed
    let notifier: Notifier
    let resync: ResyncNotifier
    let package: String
    let transport: SIPTransportService
    let logger: Logger

    func run() async throws {
        let subscription = changes.subscribe()
        _ = try await transport.waitUntilStarted()
        do {
            let restored = try await notifier.restore()
            logger.notice("subscriptions restored", metadata: ["event": "subscriptions.restored", "count": "\(restored)"])
        } catch {
            logger.error("subscriptions not restored", metadata: ["error": "\(error)"])
        }
        try await cancelWhenGracefulShutdown {
            for try await change in subscription {
                let resource = change.instrument.id.value
                switch change.kind {
                case .added, .updated:
                    await notifier.resourceChanged(package: package, resource: resource)
                    // Phones that watch their configuration learn of it from the NOTIFY above.
                    if await notifier.subscriptions(package: package, resource: resource).isEmpty {
                        let instrument = change.instrument
                        Task { await resync.configurationChanged(instrument) }
                    }
                case .removed: await notifier.resourceRemoved(package: package, resource: resource)
                }
            }
        }
    }
}
