public import SIPAuth
public import SIPCore

/// An event package the notifier serves (RFC 6665 §7): what its resources are, who may
/// subscribe, how long for, and what a NOTIFY says. Packages plug into ``Notifier``;
/// ``HTTPMonitorPackage`` (RFC 5989) is the first, `reg` (RFC 3680) or an aggregated `dialog`
/// (RFC 4235) can follow.
public protocol EventPackage: Sendable {
    /// The package name of the `Event` header (`http-monitor`).
    var name: String { get }
    /// Subscription durations (RFC 6665 §4.2.1.1).
    var expiry: SubscriptionExpiryPolicy { get }
    /// The `Content-Type` of NOTIFY bodies, also what `Accept` must allow (RFC 6665 §4.2.1.2).
    var contentType: String { get }
    /// The resource a Request-URI names in this package (`0000DEADBEEF` for
    /// `sips:~~cf~0000DEADBEEF@example.net`), or nil when it names none of ours.
    func resource(for uri: SIPURI) -> String?
    /// The password of `username` when that user may watch `resource` (RFC 6665 §4.2.1.1: the
    /// package's authorisation policy), else nil. Digest is checked against it.
    func password(of username: SIPAuthUsername, watching resource: String) async -> String?
    /// The state of `resource` now.
    func state(of resource: String, wantsBody: Bool) async -> EventResourceState
}

/// What a NOTIFY tells about a resource.
public struct EventResourceState: Sendable, Hashable {
    /// The NOTIFY body.
    public var body: [UInt8]
    /// A summary that changes when the state does (the ETag for http-monitor), so that the
    /// notifier can tell whether a subscriber already knows the current state.
    public var summary: String
    /// False when the resource is gone: the notifier sends this state, then ends the
    /// subscription with `reason=noresource` (RFC 6665 §4.2.2).
    public var exists: Bool

    public init(body: [UInt8], summary: String, exists: Bool = true) {
        self.body = body
        self.summary = summary
        self.exists = exists
    }
}

/// Bounds of a subscription's duration (RFC 6665 §4.2.1.1): below ``minimum`` → 423 with
/// Min-Expires; above ``maximum`` → shortened; no Expires → ``default``.
public struct SubscriptionExpiryPolicy: Sendable, Hashable {
    public var minimum: UInt32
    public var `default`: UInt32
    public var maximum: UInt32

    public init(minimum: UInt32, default: UInt32, maximum: UInt32) {
        self.minimum = minimum
        self.default = max(minimum, min(`default`, maximum))
        self.maximum = maximum
    }
}
