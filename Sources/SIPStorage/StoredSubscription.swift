public import SIPCore

/// A subscription of the notifier (RFC 6665 §4.2) as it is kept durably: the dialog (RFC 3261
/// §12.1.1, the notifier being the UAS), the package and resource, its expiry and the last
/// state told, so that after a restart the notifier resumes the dialog with a higher CSeq and
/// notifies only when the state changed meanwhile.
public struct StoredSubscription: Sendable, Hashable {
    /// The dialog's Call-ID.
    public var callID: String
    /// Our tag (the To tag of our 200 to the SUBSCRIBE, the From tag of our NOTIFYs).
    public var localTag: String
    /// The subscriber's tag.
    public var remoteTag: String
    /// The `Event` header's `id` parameter, or "" (RFC 6665 §8.2.1).
    public var eventID: String
    /// The event package (`http-monitor`).
    public var package: String
    /// The resource watched, in the package's terms (`0000DEADBEEF`).
    public var resource: String
    /// Our URI (the SUBSCRIBE's To, without tag) and the subscriber's (its From, without tag).
    public var localURI: String
    public var remoteURI: String
    /// The remote target (the subscriber's Contact URI) and the route set (Record-Route).
    public var remoteTarget: String
    public var routeSet: [String]
    /// The last CSeq we sent in the dialog, and the subscriber's last.
    public var localCSeq: UInt32
    public var remoteCSeq: UInt32
    public var expiresAt: SIPTimestamp
    /// The flow the subscription came over: transport (`udp`, `tcp`, `tls`), the remote address
    /// as `host:port`, the local listener as `host:port`.
    public var transport: String
    public var remoteAddress: String
    public var localAddress: String
    /// The authenticated subscriber (`69/0000DEADBEEF`).
    public var subscriber: String
    /// `body=true` was asked for (RFC 5989 §4.2).
    public var wantsBody: Bool
    /// An opaque summary of the last state notified (the ETag for http-monitor), or "".
    public var lastState: String

    public init(
        callID: String, localTag: String, remoteTag: String, eventID: String, package: String, resource: String,
        localURI: String, remoteURI: String, remoteTarget: String, routeSet: [String], localCSeq: UInt32,
        remoteCSeq: UInt32, expiresAt: SIPTimestamp, transport: String, remoteAddress: String, localAddress: String,
        subscriber: String, wantsBody: Bool, lastState: String
    ) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
        self.eventID = eventID
        self.package = package
        self.resource = resource
        self.localURI = localURI
        self.remoteURI = remoteURI
        self.remoteTarget = remoteTarget
        self.routeSet = routeSet
        self.localCSeq = localCSeq
        self.remoteCSeq = remoteCSeq
        self.expiresAt = expiresAt
        self.transport = transport
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.subscriber = subscriber
        self.wantsBody = wantsBody
        self.lastState = lastState
    }

    /// What identifies the subscription: the dialog and the event id (RFC 6665 §4.1.2.1).
    public var key: SubscriptionKey { SubscriptionKey(callID: callID, localTag: localTag, eventID: eventID) }
}

/// A subscription's identity: Call-ID, our tag, the `Event` id.
public struct SubscriptionKey: Sendable, Hashable, CustomStringConvertible {
    public var callID: String
    public var localTag: String
    public var eventID: String

    public init(callID: String, localTag: String, eventID: String) {
        self.callID = callID
        self.localTag = localTag
        self.eventID = eventID
    }

    public var description: String { "\(callID);tag=\(localTag)" + (eventID.isEmpty ? "" : ";id=\(eventID)") }
}

/// Durable subscriptions of the notifier (RFC 6665), so that they survive a restart.
/// Backends: ``InMemorySubscriptionStore``, `SQLiteStore`.
public protocol SubscriptionStore: Sendable {
    /// Inserts or replaces the subscription with the same key.
    func saveSubscription(_ subscription: StoredSubscription) async throws(StorageError)
    /// Removes it (no error when absent).
    func removeSubscription(_ key: SubscriptionKey) async throws(StorageError)
    /// Every subscription not expired at `now`; expired ones are deleted.
    func activeSubscriptions(at now: SIPTimestamp) async throws(StorageError) -> [StoredSubscription]
}
