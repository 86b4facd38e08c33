public import SIPCore
public import SIPStorage

/// One subscription of the server's notifier (RFC 6665 §4.2) as `GET /v1/subscriptions` and
/// `switchboard subscriptions --json` show it.
///
/// `instrument` is the canonical MAC of the phone concerned: the watched resource when it is
/// one (http-monitor watches `~~cf~MAC`, RFC 6011 §2.5.1), else the instrument of the
/// subscriber's `user/MAC` login (draft-worley-instrument-identification); null when neither
/// names one. `expires` is the number of seconds left at the time of the request, rounded up;
/// `expiresAt` is ISO 8601 UTC with milliseconds. `localCSeq` is the CSeq of the last NOTIFY we
/// sent in the dialog (RFC 3261 §12.2.1.1), `remoteCSeq` the subscriber's last.
public struct AdminSubscription: Codable, Sendable, Hashable {
    public var package: String
    public var resource: String
    public var instrument: String?
    public var subscriber: String
    public var expires: Int64
    public var expiresAt: String
    public var transport: String
    public var remoteAddress: String
    public var remoteTarget: String
    public var callId: String
    public var localCSeq: UInt32
    public var remoteCSeq: UInt32

    public init(
        package: String, resource: String, instrument: String?, subscriber: String, expires: Int64, expiresAt: String,
        transport: String, remoteAddress: String, remoteTarget: String, callId: String, localCSeq: UInt32, remoteCSeq: UInt32
    ) {
        self.package = package
        self.resource = resource
        self.instrument = instrument
        self.subscriber = subscriber
        self.expires = expires
        self.expiresAt = expiresAt
        self.transport = transport
        self.remoteAddress = remoteAddress
        self.remoteTarget = remoteTarget
        self.callId = callId
        self.localCSeq = localCSeq
        self.remoteCSeq = remoteCSeq
    }

    /// The view of `subscription` at `now`.
    public init(_ subscription: StoredSubscription, now: SIPTimestamp) {
        self.init(
            package: subscription.package, resource: subscription.resource,
            instrument: Self.instrument(resource: subscription.resource, subscriber: subscription.subscriber)?.value,
            subscriber: subscription.subscriber, expires: max(0, now.seconds(until: subscription.expiresAt)),
            expiresAt: ISO8601Time.format(subscription.expiresAt), transport: subscription.transport,
            remoteAddress: subscription.remoteAddress, remoteTarget: subscription.remoteTarget,
            callId: subscription.callID, localCSeq: subscription.localCSeq, remoteCSeq: subscription.remoteCSeq)
    }

    /// The phone a subscription concerns: a resource that is a MAC, else the subscriber's
    /// `user/MAC` instrument.
    static func instrument(resource: String, subscriber: String) -> SIPInstrumentID? {
        if let id = SIPInstrumentID(resource), id.isMAC { return id }
        return SIPAuthUsername(subscriber).instrument
    }

    private enum CodingKeys: String, CodingKey {
        case package, resource, instrument, subscriber, expires, expiresAt, transport, remoteAddress, remoteTarget
        case callId, localCSeq, remoteCSeq
    }

    /// Encodes `null` for an absent instrument instead of leaving the key out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(package, forKey: .package)
        try container.encode(resource, forKey: .resource)
        try container.encode(instrument, forKey: .instrument)
        try container.encode(subscriber, forKey: .subscriber)
        try container.encode(expires, forKey: .expires)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(transport, forKey: .transport)
        try container.encode(remoteAddress, forKey: .remoteAddress)
        try container.encode(remoteTarget, forKey: .remoteTarget)
        try container.encode(callId, forKey: .callId)
        try container.encode(localCSeq, forKey: .localCSeq)
        try container.encode(remoteCSeq, forKey: .remoteCSeq)
    }
}
