/// Expiry policy of the registrar (RFC 3261 §10.3 step 7, §10.2.1.1, §20.23): the interval a
/// binding gets when the REGISTER names none, the shortest accepted (shorter → 423 Interval Too
/// Brief with Min-Expires) and the longest granted (longer is shortened).
public struct RegistrarPolicy: Sendable, Hashable {
    public var defaultExpires: UInt32
    public var minExpires: UInt32
    public var maxExpires: UInt32

    /// Defaults: 3600 s, 60 s, 86400 s.
    public init(defaultExpires: UInt32 = 3_600, minExpires: UInt32 = 60, maxExpires: UInt32 = 86_400) {
        self.defaultExpires = defaultExpires
        self.minExpires = minExpires
        self.maxExpires = maxExpires
    }
}
