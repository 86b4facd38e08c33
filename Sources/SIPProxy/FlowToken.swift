import Crypto
import SIPAuth
public import SIPTransport

/// The flow token of RFC 5626 §5.2 in a Record-Route URI's user part: the two flows of a
/// dialog as this proxy saw them when it forwarded the dialog's first request — the one the
/// request came in on (upstream, the caller) and the one it went out on (downstream, a
/// binding's flow). An in-dialog request that comes in over one of them goes out over the other
/// (§5.3), so phones behind NAT get their NOTIFYs and refreshes over the flow they registered.
///
/// Integrity: an HMAC-SHA256 (truncated to 80 bits) over the flows with the server's secret,
/// so a forged Route cannot make us send to an address of the sender's choosing.
public struct FlowToken: Sendable, Hashable {
    /// The user-part prefix that marks a token.
    public static let userPrefix = "sbf-"

    public var upstream: SIPDestination?
    public var downstream: SIPDestination?

    public init(upstream: SIPDestination?, downstream: SIPDestination?) {
        self.upstream = upstream
        self.downstream = downstream
    }

    /// The other flow of the dialog for a request that arrived from `source`: downstream when
    /// it came over the upstream flow, upstream when it came over the downstream flow; nil when
    /// it came over neither (then the request is routed by its Request-URI or Route).
    public func destination(forRequestFrom source: SIPSource) -> SIPDestination? {
        if let upstream, Self.matches(upstream, source) { return downstream }
        if let downstream, Self.matches(downstream, source) { return upstream }
        return nil
    }

    static func matches(_ flow: SIPDestination, _ source: SIPSource) -> Bool {
        guard flow.transport == source.transport else { return false }
        if let id = flow.connectionID, let arrived = source.connectionID { return id == arrived }
        return flow.address == source.remote
    }

    /// The flow a request from `source` came in on.
    public static func flow(of source: SIPSource) -> SIPDestination {
        SIPDestination(transport: source.transport, address: source.remote, connectionID: source.connectionID)
    }

    /// `sbf-<hex payload>-<hex mac>`.
    public func encoded(key: FlowTokenKey) -> String {
        let payload = Self.text(upstream) + "|" + Self.text(downstream)
        let bytes = Array(payload.utf8)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key.bytes))).prefix(10)
        return Self.userPrefix + Hex.encode(bytes) + "-" + Hex.encode(Array(mac))
    }

    /// Decodes and checks a token; nil when it is not one of ours or was altered.
    public init?(decoding user: String, key: FlowTokenKey) {
        guard user.hasPrefix(Self.userPrefix) else { return nil }
        let parts = user.dropFirst(Self.userPrefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 512, let bytes = Hex.decode(parts[0]), let mac = Hex.decode(parts[1]),
            mac.count == 10
        else {
            return nil
        }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key.bytes))).prefix(10)
        guard Array(expected) == mac else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 2 else { return nil }
        self.init(upstream: Self.flow(fields[0]), downstream: Self.flow(fields[1]))
    }

    /// `udp,203.0.113.7:5060` or `tcp,[2001:db8::1]:5060,42`; empty for none.
    static func text(_ flow: SIPDestination?) -> String {
        guard let flow else { return "" }
        var text = flow.transport.description + "," + flow.address.sipHostPort
        if let id = flow.connectionID { text += ",\(id.rawValue)" }
        return text
    }

    static func flow(_ text: Substring) -> SIPDestination? {
        let fields = text.split(separator: ",")
        guard fields.count == 2 || fields.count == 3 else { return nil }
        return SIPTargetResolver.flowDestination(
            transport: String(fields[0]), remote: String(fields[1]),
            connectionID: fields.count == 3 ? UInt64(fields[2]) : nil)
    }
}

/// The secret flow tokens are signed with (32 bytes; the server uses its nonce secret, so tokens
/// outlive a restart).
public struct FlowTokenKey: Sendable, Hashable {
    let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A random key (tests, or a server without a persistent secret).
    public static func random() -> FlowTokenKey {
        var generator = SystemRandomNumberGenerator()
        return FlowTokenKey(bytes: (0..<32).map { _ in generator.next() as UInt8 })
    }
}
