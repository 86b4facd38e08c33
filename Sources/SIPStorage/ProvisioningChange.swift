/// A committed change of one instrument's provisioning, as published on the
/// ``ProvisioningChangeFeed``: what the http-monitor notifier (RFC 5989 §4.5, RFC 6011 §2.5.1)
/// turns into a NOTIFY telling the phone to fetch its configuration again.
public struct ProvisioningChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The instrument was provisioned.
        case added
        /// A line was added or removed.
        case updated
        /// The instrument was removed; its configuration is gone (HTTP 404 from now on).
        case removed
    }

    public var kind: Kind
    /// The instrument after the change; for `removed`, as it was, with its version bumped.
    public var instrument: ProvisionedInstrument

    public init(kind: Kind, instrument: ProvisionedInstrument) {
        self.kind = kind
        self.instrument = instrument
    }
}

/// The feed of committed provisioning changes, in commit order.
public typealias ProvisioningChangeFeed = ChangeFeed<ProvisioningChange>
