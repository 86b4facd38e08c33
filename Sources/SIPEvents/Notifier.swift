public import Logging
public import SIPAuth
public import SIPCore
public import SIPStorage
public import SIPTransaction
public import SIPTransport
import NIOCore
import Synchronization

/// The notifier of RFC 6665 for the packages plugged into it (``EventPackage``): accepts and
/// refreshes subscriptions, sends the NOTIFYs, expires them, and tells subscribers when a
/// watched resource changes (``resourceChanged(package:resource:)``).
///
/// - Initial SUBSCRIBE (§4.2.1): unknown package → 489 with `Allow-Events`; a Request-URI that
///   names no resource of the package → 404; not over TLS → 403 (RFC 5989 §6: a resource
///   served over TLS is watched over TLS; a `sips:` URI always, any URI unless configured off); digest authentication as a
///   user allowed to watch the resource (401, lockout as for REGISTER); Accept without the
///   package's type → 406; Expires below the minimum → 423 with `Min-Expires`, above the maximum
///   shortened; then 200 with our tag, `Expires` and `Contact`, and a NOTIFY at once (§4.2.1.2).
/// - In the dialog (To tag): refresh, or unsubscribe with `Expires: 0` (final NOTIFY
///   `terminated`); unknown dialog → 481; a CSeq not above the last → 500.
/// - NOTIFYs go over the flow the SUBSCRIBE came on (its connection, or its source address for
///   UDP: behind NAT the Contact may be unreachable), through client transactions; one at a
///   time per subscription, at most one per second (``Subscription``).
/// - Every change is written to the ``SubscriptionStore``; ``restore()`` resumes the dialogs
///   after a restart with higher CSeqs and notifies those whose resource changed meanwhile.
public actor Notifier {
    public struct Configuration: Sendable {
        public var realm: String
        /// Refuse subscriptions that did not come over TLS (RFC 5989 §6: a resource served over
        /// HTTPS is watched over TLS; its monitor URI is `sips:`).
        public var requiresTLS: Bool
        public init(realm: String, requiresTLS: Bool = true) {
            self.realm = realm
            self.requiresTLS = requiresTLS
        }
    }

    /// One subscription and what is not durable about it: the connection it came over.
    struct Entry {
        var subscription: Subscription
        var connectionID: SIPConnectionID?
    }

    let configuration: Configuration
    let packages: [String: any EventPackage]
    let store: any SubscriptionStore
    let sender: any SIPRequestSending
    let scheduler: any SIPTimerScheduler
    let clock: any SIPClock
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter
    let logger: Logger
    var entries: [SubscriptionKey: Entry] = [:] {
        didSet { held.store(entries.count, ordering: .relaxed) }
    }
    var byResource: [String: Set<SubscriptionKey>] = [:]
    /// `entries.count`, readable without waiting for the actor (a metrics scrape).
    private let held = Atomic<Int>(0)

    public init(
        configuration: Configuration, packages: [any EventPackage], store: any SubscriptionStore,
        sender: any SIPRequestSending, scheduler: any SIPTimerScheduler, clock: any SIPClock,
        challenger: DigestChallenger, verifier: DigestVerifier, limiter: AuthFailureLimiter, logger: Logger
    ) {
        self.configuration = configuration
        var byName: [String: any EventPackage] = [:]
        for package in packages { byName[package.name.lowercased()] = package }
        self.packages = byName
        self.store = store
        self.sender = sender
        self.scheduler = scheduler
        self.clock = clock
        self.challenger = challenger
        self.verifier = verifier
        self.limiter = limiter
        self.logger = logger
    }

    /// The package names, for `Allow-Events` (RFC 6665 §8.2.2).
    public nonisolated var packageNames: [String] { packages.values.map(\.name).sorted() }

    /// Subscriptions held now.
    public var count: Int { entries.count }

    /// Subscriptions held now, read without waiting for the actor (the
    /// `switchboard_subscriptions_active` gauge, read at each scrape).
    public nonisolated var activeCount: Int { held.load(ordering: .relaxed) }

    /// The subscriptions to `resource` of `package` (admin API, tests).
    public func subscriptions(package: String, resource: String) -> [StoredSubscription] {
        (byResource[Self.resourceKey(package, resource)] ?? []).compactMap { entries[$0]?.subscription.record }
    }

    /// Every subscription held now, by package, resource and Call-ID (`GET /v1/subscriptions`).
    public func allSubscriptions() -> [StoredSubscription] {
        entries.values.map(\.subscription.record).sorted {
            ($0.package, $0.resource, $0.callID, $0.localTag) < ($1.package, $1.resource, $1.callID, $1.localTag)
        }
    }

    // MARK: SUBSCRIBE

    /// Answers a SUBSCRIBE: calls `respond` with the response, then sends the NOTIFY it implies.
    public func handle(_ subscribe: SubscribeRequest, respond: @Sendable (SIPResponse) -> Void) async {
        var event = SIPRequestEvent()
        do throws(SIPResponseError) {
            let package = try package(of: subscribe)
            if let localTag = subscribe.to.tag {
                try await inDialog(subscribe, localTag: localTag, package: package, respond: respond)
            } else {
                try await initial(subscribe, package: package, event: &event, respond: respond)
            }
        } catch {
            event.outcome = error.outcome ?? SIPRequestEvent.defaultOutcome(method: .subscribe, status: error.statusCode)
            log(event, status: error.statusCode, subscribe: subscribe)
            respond(SIPResponse(answering: subscribe.request, error: error))
        }
    }

    private func package(of subscribe: SubscribeRequest) throws(SIPResponseError) -> any EventPackage {
        guard let package = packages[subscribe.event.package.lowercased()] else {
            throw SIPResponseError(
                489, "Bad Event", headers: [SIPHeaderField(.allowEvents, packageNames.joined(separator: ", "))],
                outcome: "subscribe.bad_event")
        }
        return package
    }

    private func initial(
        _ subscribe: SubscribeRequest, package: any EventPackage, event: inout SIPRequestEvent,
        respond: @Sendable (SIPResponse) -> Void
    ) async throws(SIPResponseError) {
        let request = subscribe.request
        guard let resource = package.resource(for: request.uri) else {
            throw SIPResponseError(404, "Not Found", outcome: "subscribe.not_found")
        }
        event.detail = "\(package.name) \(resource)"
        if configuration.requiresTLS || request.uri.scheme == .sips, subscribe.source.transport != .tls {
            throw SIPResponseError(403, "Subscribe over TLS", outcome: "subscribe.insecure")
        }
        let username = try await authenticate(subscribe, package: package, resource: resource, event: &event)
        guard subscribe.accepts(package.contentType) else {
            throw SIPResponseError(
                406, "Not Acceptable", headers: [SIPHeaderField(.accept, package.contentType)],
                outcome: "subscribe.not_acceptable")
        }
        let policy = package.expiry
        let asked = subscribe.expires ?? policy.default
        if asked == 0 {
            // RFC 6665 §4.2.1.4: a fetch — one NOTIFY with the state, then terminated.
            let record = newRecord(subscribe, package: package, resource: resource, subscriber: username, expires: 0)
            respond(okResponse(subscribe, localTag: record.localTag, expires: 0))
            event.outcome = "subscribe.fetch"
            log(event, status: 200, subscribe: subscribe)
            var subscription = Subscription(record: record)
            entries[record.key] = Entry(subscription: subscription, connectionID: subscribe.source.connectionID)
            let actions = subscription.refresh(expires: 0, remoteCSeq: subscribe.cseq, now: clock.now())
            entries[record.key]?.subscription = subscription
            await perform(actions, key: record.key)
            return
        }
        if asked < policy.minimum {
            throw SIPResponseError(
                423, "Interval Too Brief", headers: [SIPHeaderField(.minExpires, "\(policy.minimum)")],
                outcome: "subscribe.interval_too_brief")
        }
        let granted = min(asked, policy.maximum)
        let record = newRecord(subscribe, package: package, resource: resource, subscriber: username, expires: granted)
        respond(okResponse(subscribe, localTag: record.localTag, expires: granted))
        event.outcome = "subscribe.ok"
        log(event, status: 200, subscribe: subscribe)
        let (subscription, actions) = Subscription.start(record, now: clock.now())
        insert(Entry(subscription: subscription, connectionID: subscribe.source.connectionID))
        await perform(actions, key: record.key)
    }

    private func inDialog(
        _ subscribe: SubscribeRequest, localTag: String, package: any EventPackage,
        respond: @Sendable (SIPResponse) -> Void
    ) async throws(SIPResponseError) {
        let key = SubscriptionKey(callID: subscribe.callID, localTag: localTag, eventID: subscribe.event.id ?? "")
        guard var entry = entries[key], entry.subscription.record.remoteTag == subscribe.from.tag else {
            throw SIPResponseError(481, "Subscription Does Not Exist", outcome: "subscribe.no_subscription")
        }
        guard subscribe.cseq > entry.subscription.record.remoteCSeq else {
            throw SIPResponseError(500, "CSeq out of order", outcome: "subscribe.cseq_out_of_order")
        }
        let policy = package.expiry
        let asked = subscribe.expires ?? policy.default
        if asked != 0, asked < policy.minimum {
            throw SIPResponseError(
                423, "Interval Too Brief", headers: [SIPHeaderField(.minExpires, "\(policy.minimum)")],
                outcome: "subscribe.interval_too_brief")
        }
        let granted = asked == 0 ? 0 : min(asked, policy.maximum)
        if subscribe.source.connectionID != nil { entry.connectionID = subscribe.source.connectionID }
        let actions = entry.subscription.refresh(expires: granted, remoteCSeq: subscribe.cseq, now: clock.now())
        entries[key] = entry
        respond(okResponse(subscribe, localTag: localTag, expires: granted))
        var event = SIPRequestEvent()
        event.outcome = granted == 0 ? "subscribe.unsubscribed" : "subscribe.refreshed"
        event.authUser = entry.subscription.record.subscriber
        event.detail = "\(package.name) \(entry.subscription.record.resource)"
        log(event, status: 200, subscribe: subscribe)
        await perform(actions, key: key)
    }

    /// Digest authentication of an initial SUBSCRIBE (RFC 6665 §4.2.1.1; 401 as a UAS).
    private func authenticate(
        _ subscribe: SubscribeRequest, package: any EventPackage, resource: String, event: inout SIPRequestEvent
    ) async throws(SIPResponseError) -> String {
        let request = subscribe.request
        let source = subscribe.source.remote.ipAddress ?? "unknown"
        let offered: [SIPAuthHeader]
        do { offered = try request.authorizations() } catch { throw .badRequest(error.reason) }
        guard let credentials = DigestVerifier.credentials(in: offered, realm: configuration.realm) else {
            throw challenge(stale: false, outcome: "subscribe.challenge")
        }
        let username = SIPAuthUsername(credentials.username ?? "")
        event.authUser = username.full
        event.instrument = username.instrument
        let password = await package.password(of: username, watching: resource)
        switch verifier.verify(
            method: .subscribe, requestURI: request.uri, credentials: credentials, realm: configuration.realm,
            password: password)
        {
        case .success:
            return username.full
        case .stale:
            throw challenge(stale: true, outcome: "subscribe.stale_nonce")
        case .failure(let reason):
            event.detail = reason.rawValue
            switch limiter.recordFailure(from: source) {
            case .lockedOut, .alreadyLockedOut:
                throw SIPResponseError(
                    AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: "subscribe.lockout")
            case .counted, .notCounted:
                throw challenge(stale: false, outcome: "subscribe.auth_failed")
            }
        }
    }

    private func challenge(stale: Bool, outcome: String) -> SIPResponseError {
        SIPResponseError(
            401, "Unauthorized", headers: challenger.headerFields(kind: .wwwAuthenticate, stale: stale), outcome: outcome)
    }

    private func newRecord(
        _ subscribe: SubscribeRequest, package: any EventPackage, resource: String, subscriber: String, expires: UInt32
    ) -> StoredSubscription {
        var local = subscribe.to.uri
        local.parameters = SIPParameters()
        var remote = subscribe.from.uri
        remote.parameters = SIPParameters()
        return StoredSubscription(
            callID: subscribe.callID, localTag: SIPTag.random(), remoteTag: subscribe.from.tag ?? "",
            eventID: subscribe.event.id ?? "", package: package.name, resource: resource,
            localURI: local.description, remoteURI: remote.description, remoteTarget: subscribe.contact.description,
            routeSet: subscribe.recordRoute, localCSeq: 0, remoteCSeq: subscribe.cseq,
            expiresAt: clock.now().adding(.seconds(Int64(expires))), transport: subscribe.source.transport.description,
            remoteAddress: subscribe.source.remote.sipHostPort, localAddress: Self.contactHost(subscribe),
            subscriber: subscriber, wantsBody: subscribe.event.parameters.value("body")?.lowercased() == "true",
            lastState: "")
    }

    /// Our address in the dialog: the listener the SUBSCRIBE came to, or the Request-URI's host
    /// when the listener is a wildcard address.
    static func contactHost(_ subscribe: SubscribeRequest) -> String {
        let local = subscribe.source.local
        if let ip = local.ipAddress, ip != "0.0.0.0", ip != "::" { return local.sipHostPort }
        let uri = subscribe.request.uri
        return uri.host + (local.port.map { ":\($0)" } ?? "")
    }

    private func okResponse(_ subscribe: SubscribeRequest, localTag: String, expires: UInt32) -> SIPResponse {
        var response = SIPResponse(answering: subscribe.request, statusCode: 200, toTag: localTag)
        // The same Contact as the NOTIFYs' (built from the To URI): a NOTIFY refreshes the target.
        let contact = Self.contact(
            scheme: subscribe.to.uri.scheme, user: subscribe.to.uri.user, host: Self.contactHost(subscribe),
            transport: subscribe.source.transport)
        // Before the Content-Length the response already ends with.
        let end = response.headers.firstIndex(of: .contentLength) ?? response.headers.count
        response.headers.insert(SIPHeaderField(.expires, "\(expires)"), at: end)
        response.headers.insert(SIPHeaderField(.contact, contact), at: end + 1)
        return response
    }

    static func contact(scheme: SIPURI.Scheme, user: String?, host: String, transport: SIPTransportProtocol) -> String {
        let secure = scheme == .sips && transport == .tls
        let userPart = user.map { $0 + "@" } ?? ""
        let parameter = transport == .udp || secure ? "" : ";transport=\(transport.description)"
        return "<\(secure ? "sips" : "sip"):\(userPart)\(host)\(parameter)>"
    }

    // MARK: Changes and timers

    /// The resource changed: every subscription to it is notified (within the rate limit).
    public func resourceChanged(package: String, resource: String) async {
        for key in byResource[Self.resourceKey(package, resource)] ?? [] {
            guard var entry = entries[key] else { continue }
            let actions = entry.subscription.resourceChanged(now: clock.now())
            entries[key] = entry
            await perform(actions, key: key)
        }
    }

    /// Every resource of `package` changed (new templates): every subscription is notified.
    public func everyResourceChanged(package: String) async {
        let prefix = package.lowercased() + " "
        for resource in byResource.keys where resource.hasPrefix(prefix) {
            await resourceChanged(package: package, resource: String(resource.dropFirst(prefix.count)))
        }
    }

    /// The resource is gone: its subscriptions end with `reason=noresource`.
    public func resourceRemoved(package: String, resource: String) async {
        for key in byResource[Self.resourceKey(package, resource)] ?? [] {
            guard var entry = entries[key] else { continue }
            let actions = entry.subscription.resourceRemoved(now: clock.now())
            entries[key] = entry
            await perform(actions, key: key)
        }
    }

    /// Loads the stored subscriptions (at start): their dialogs go on; those whose resource
    /// changed while we were down are notified now. Returns how many were restored.
    @discardableResult
    public func restore() async throws(StorageError) -> Int {
        let stored = try await store.activeSubscriptions(at: clock.now())
        for record in stored where packages[record.package.lowercased()] != nil {
            let (subscription, actions) = Subscription.restore(record)
            insert(Entry(subscription: subscription, connectionID: nil))
            await perform(actions, key: record.key)
            let state = await packages[record.package.lowercased()]!.state(of: record.resource, wantsBody: record.wantsBody)
            if !state.exists {
                await resourceRemoved(package: record.package, resource: record.resource)
            } else if state.summary != record.lastState, var entry = entries[record.key] {
                let more = entry.subscription.resourceChanged(now: clock.now())
                entries[record.key] = entry
                await perform(more, key: record.key)
            }
        }
        return entries.count
    }

    private func notifyTimerFired(_ key: SubscriptionKey) async {
        guard var entry = entries[key] else { return }
        let actions = entry.subscription.notifyTimerFired(now: clock.now())
        entries[key] = entry
        await perform(actions, key: key)
    }

    private func expiryFired(_ key: SubscriptionKey) async {
        guard var entry = entries[key] else { return }
        let actions = entry.subscription.expire(now: clock.now())
        entries[key] = entry
        await perform(actions, key: key)
    }

    private func notifyAnswered(_ key: SubscriptionKey, status: Int?) async {
        guard var entry = entries[key] else { return }
        let actions = entry.subscription.notifyAnswered(status: status, now: clock.now())
        entries[key] = entry
        if status == nil || status == 481 || status == 408 {
            logger.info(
                "subscription ended by its NOTIFY's answer",
                metadata: ["event": "subscription.ended", "sip.call_id": "\(key.callID)", "sip.status": "\(status.map(String.init) ?? "none")"])
        }
        await perform(actions, key: key)
    }

    // MARK: Actions

    private func perform(_ actions: [Subscription.Action], key: SubscriptionKey) async {
        for action in actions {
            switch action {
            case .sendNotify(let state):
                await sendNotify(key, state: state)
            case .scheduleNotify(let at):
                schedule(at: at) { notifier in await notifier.notifyTimerFired(key) }
            case .scheduleExpiry(let at):
                schedule(at: at) { notifier in await notifier.expiryFired(key) }
            case .store:
                if let record = entries[key]?.subscription.record { await save(record) }
            case .remove:
                remove(key)
                do { try await store.removeSubscription(key) } catch {
                    logger.warning("subscription not removed from the store", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    private func sendNotify(_ key: SubscriptionKey, state: SIPSubscriptionState) async {
        guard var entry = entries[key], let package = packages[entry.subscription.record.package.lowercased()] else { return }
        let resourceState = await package.state(of: entry.subscription.record.resource, wantsBody: entry.subscription.record.wantsBody)
        guard entries[key] != nil else { return }
        entry = entries[key] ?? entry
        let now = clock.now()
        entry.subscription.notifySent(now: now, summary: resourceState.summary)
        entries[key] = entry
        let record = entry.subscription.record
        let transport = SIPTransportProtocol(token: record.transport) ?? .udp
        let via = "SIP/2.0/\(transport.description.uppercased()) \(record.localAddress);branch=\(sender.makeBranch());rport"
        let contact = Self.contact(
            scheme: record.localURI.hasPrefix("sips:") ? .sips : .sip,
            user: (try? SIPURI(parsing: record.localURI))?.user, host: record.localAddress, transport: transport)
        let request: SIPRequest
        do {
            request = try NotifyRequestBuilder.notify(
                record, state: state, body: resourceState.body, contentType: package.contentType, contact: contact, via: via)
        } catch {
            logger.warning("NOTIFY not built: the dialog's remote target does not parse", metadata: ["sip.call_id": "\(key.callID)"])
            return
        }
        if state.state == "active" { await save(record) }
        let destination = await Self.destination(record, connectionID: entry.connectionID, transport: transport)
        logger.info(
            "notify.sent",
            metadata: [
                "event": "notify.sent", "sip.direction": "out", "sip.call_id": "\(record.callID)",
                "sip.event": "\(record.package)",
                "sip.resource": "\(record.resource)", "sip.subscription_state": "\(state)",
                "sip.cseq": "\(record.localCSeq)", "sip.state_summary": "\(resourceState.summary)",
            ])
        let sender = self.sender
        let isFinal = state.state == "terminated"
        let packageName = package.name
        Task {
            let response: SIPResponse?
            if let destination { response = await sender.send(request, to: destination) } else { response = nil }
            EventMetrics.notify(package: packageName, status: response?.statusCode)
            if !isFinal { await self.notifyAnswered(key, status: response?.statusCode) }
        }
    }

    /// Where a NOTIFY goes: over the SUBSCRIBE's connection while it is open; else its source
    /// address (UDP; NAT bindings answer there), or the remote target for a new TCP/TLS
    /// connection.
    static func destination(_ record: StoredSubscription, connectionID: SIPConnectionID?, transport: SIPTransportProtocol)
        async -> SIPDestination?
    {
        if transport == .udp || connectionID != nil,
            let flow = SIPTargetResolver.flowDestination(
                transport: record.transport, remote: record.remoteAddress, connectionID: connectionID?.rawValue)
        {
            return flow
        }
        guard let target = try? SIPURI(parsing: record.remoteTarget) else { return nil }
        let port = target.port ?? (transport == .tls ? 5061 : 5060)
        if let socket = try? SocketAddress(ipAddress: target.host, port: port) {
            return SIPDestination(transport: transport, address: socket)
        }
        let host = target.host
        let resolved = await Task.detached { try? SocketAddress.makeAddressResolvingHost(host, port: port) }.value
        return resolved.map { SIPDestination(transport: transport, address: $0) }
    }

    private func save(_ record: StoredSubscription) async {
        do { try await store.saveSubscription(record) } catch {
            logger.warning("subscription not stored", metadata: ["error": "\(error)", "sip.call_id": "\(record.callID)"])
        }
    }

    private func schedule(at time: SIPTimestamp, _ body: @escaping @Sendable (Notifier) async -> Void) {
        let delay = Duration.milliseconds(max(0, time.millisecondsSince1970 - clock.now().millisecondsSince1970))
        _ = scheduler.schedule(after: delay) { [self] in Task { await body(self) } }
    }

    private func insert(_ entry: Entry) {
        let key = entry.subscription.key
        entries[key] = entry
        byResource[Self.resourceKey(entry.subscription.record.package, entry.subscription.record.resource), default: []].insert(key)
    }

    private func remove(_ key: SubscriptionKey) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        let resource = Self.resourceKey(entry.subscription.record.package, entry.subscription.record.resource)
        byResource[resource]?.remove(key)
        if byResource[resource]?.isEmpty == true { byResource[resource] = nil }
    }

    static func resourceKey(_ package: String, _ resource: String) -> String { package.lowercased() + " " + resource }

    private func log(_ event: SIPRequestEvent, status: Int, subscribe: SubscribeRequest) {
        event.log(to: logger, status: status, method: .subscribe, callID: subscribe.callID, source: subscribe.source)
    }
}
