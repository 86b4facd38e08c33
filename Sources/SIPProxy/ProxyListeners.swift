public import SIPCore
public import SIPTransaction
public import SIPTransport
import Synchronization

/// The addresses this proxy is reached at, for the two questions routing asks (RFC 3261 §16.4,
/// §16.6 step 4): is this Route (or Request-URI) one we put there, and what URI do we record in
/// Record-Route for a transport. Built once from the configured listeners.
///
/// A URI is ours when its port (or the transport's default) is the port of a listener and its
/// host is that listener's address, one of our domains, or — for a wildcard listener — any
/// address. The port matters: on one host the phones and the proxy share an address.
public struct ProxyListeners: Sendable {
    /// One listener: transport, the host we advertise (an address, or a name for a wildcard
    /// listener) and the port.
    public struct Listener: Sendable, Hashable {
        public var transport: SIPTransportProtocol
        public var host: String
        public var port: Int
        /// True for `0.0.0.0` / `::`.
        public var isWildcard: Bool

        public init(transport: SIPTransportProtocol, host: String, port: Int, isWildcard: Bool = false) {
            self.transport = transport
            self.host = host
            self.port = port
            self.isWildcard = isWildcard
        }
    }

    public let identity: SIPLocalIdentity
    private let table: ListenerTable
    private let advertisedHost: String

    /// The listeners now (after ``update(_:)`` with the bound ports).
    public var listeners: [Listener] { table.value.withLock { $0 } }

    /// - Parameters:
    ///   - listeners: transport, host and port of each listener as configured; a wildcard host
    ///     is advertised as `advertisedHost`.
    ///   - advertisedHost: the name or address put in Record-Route for wildcard listeners
    ///     (default: the first domain, else `127.0.0.1`).
    public init(
        listeners: [(transport: SIPTransportProtocol, host: String, port: Int)], identity: SIPLocalIdentity,
        advertisedHost: String? = nil
    ) {
        self.advertisedHost = advertisedHost ?? identity.domains.sorted().first ?? "127.0.0.1"
        self.identity = identity
        self.table = ListenerTable()
        update(listeners)
    }

    /// Replaces the listeners, e.g. with the ports bound for port 0 once the transport started.
    public func update(_ listeners: [(transport: SIPTransportProtocol, host: String, port: Int)]) {
        let fallback = advertisedHost
        let converted = listeners.map { listener in
            var host = listener.host
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let wildcard = host == "0.0.0.0" || host == "::"
            return Listener(
                transport: listener.transport, host: wildcard ? fallback : host, port: listener.port, isWildcard: wildcard)
        }
        table.value.withLock { $0 = converted }
    }

    /// True when `uri` names this proxy (host and port), RFC 3261 §16.4.
    public func isUs(_ uri: SIPURI) -> Bool {
        guard uri.scheme != .tel, uri.user == nil || uri.user?.hasPrefix(FlowToken.userPrefix) == true else {
            return false
        }
        let host = uri.normalizedHost.trimmingBrackets
        let transport = uri.transport.flatMap(SIPTransportProtocol.init(token:))
        let port = uri.port ?? (transport ?? (uri.scheme == .sips ? .tls : .udp)).defaultPort
        for listener in self.listeners where listener.port == port {
            if listener.isWildcard || listener.host.lowercased() == host || identity.domains.contains(host) {
                return true
            }
        }
        return false
    }

    /// True when a Via's sent-by is one we write (RFC 3261 §16.3 step 4): a listener's
    /// advertised host and port.
    public func isOurSentBy(_ via: SIPVia) -> Bool {
        guard let transport = SIPTransportProtocol(token: via.transport) else { return false }
        let port = via.port ?? transport.defaultPort
        let host = via.host.trimmingBrackets.lowercased()
        return listeners.contains { $0.port == port && $0.host.lowercased() == host }
    }

    /// The Via sent-by (`host:port`) we write for `transport`.
    public func sentBy(for transport: SIPTransportProtocol) -> String? {
        guard let listener = listener(for: transport) else { return nil }
        let host = listener.host.contains(":") ? "[\(listener.host)]" : listener.host
        return "\(host):\(listener.port)"
    }

    /// The listener to record for `transport` (the first one of that transport).
    public func listener(for transport: SIPTransportProtocol) -> Listener? {
        listeners.first { $0.transport == transport }
    }

    /// A Record-Route value for `transport`: `<sip:[TOKEN@]host:port;transport=t;lr>`
    /// (RFC 3261 §16.6 step 4; the flow token of RFC 5626 §5.3 as the user part).
    public func recordRoute(transport: SIPTransportProtocol, flowToken: String?) -> String? {
        guard let sentBy = sentBy(for: transport) else { return nil }
        let user = flowToken.map { "\($0)@" } ?? ""
        return "<sip:\(user)\(sentBy);transport=\(transport.description);lr>"
    }
}

/// The listener list, shared by every copy of a ``ProxyListeners``.
final class ListenerTable: Sendable {
    let value = Mutex<[ProxyListeners.Listener]>([])
}

extension String {
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
