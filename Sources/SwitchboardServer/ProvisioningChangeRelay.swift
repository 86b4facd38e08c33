import Logging
import SIPCore
import SIPEvents
import SIPStorage
import SIPTransport
import ServiceLifecycle

/// Tells the notifier about configuration changes (RFC 6011 §2.5.1): once SIP is up it
/// restores the stored subscriptions, then turns every committed provisioning change into an
/// http-monitor notification of that instrument's subscribers (`removed` ends them with
/// `reason=noresource`), and so does a password change of a user with a line on the phone (its
/// file holds the password); a phone without a subscription gets its vendor's resync NOTIFY when
/// `events.resync` names its vendor.
struct ProvisioningChangeRelay: Service {
    let changes: ProvisioningChangeFeed
    /// Password changes: the files of the instruments with a line of that user change.
    let credentialChanges: CredentialChangeFeed
    let store: any ProvisioningStore
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
        let credentials = credentialChanges.subscribe()
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await change in subscription {
                        let resource = change.instrument.id.value
                        switch change.kind {
                        case .added, .updated: await changed(change.instrument)
                        case .removed: await notifier.resourceRemoved(package: package, resource: resource)
                        }
                    }
                }
                group.addTask {
                    for try await change in credentials {
                        for id in store.provisionedLines.instruments(user: change.user, domain: change.domain) {
                            if let instrument = try? await store.instrument(id) { await changed(instrument) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// A phone's configuration changed: its watchers get a NOTIFY; a phone without an
    /// http-monitor subscription gets its vendor's resync NOTIFY (when enabled).
    private func changed(_ instrument: ProvisionedInstrument) async {
        let resource = instrument.id.value
        await notifier.resourceChanged(package: package, resource: resource)
        if await notifier.subscriptions(package: package, resource: resource).isEmpty {
            Task { await resync.configurationChanged(instrument) }
        }
    }
}
