public import NIOCore
import NIOPosix
public import SIPCore
#if canImport(Glibc)
import Glibc
#endif

/// Where a request goes (RFC 3263 §4, the subset without NAPTR and SRV; RFC 5626 §5.3): a SIP
/// URI's transport and port, and its host resolved to addresses (A/AAAA) — off the event
/// loop, on a thread pool, because `getaddrinfo` blocks. IP literals resolve at once, with no
/// lookup and no thread hop.
///
/// - Transport (§4.1): the `transport` parameter; else TLS for a `sips` URI; else UDP.
/// - Port (§4.2): the URI's port; else the transport's default (5060, 5061 for TLS).
/// - `maddr` (RFC 3261 §19.1.1) replaces the host when present.
public final class SIPTargetResolver: Sendable {
    let names: any SIPNameResolver

    /// - Parameter names: resolves host names (default: `getaddrinfo` on `NIOThreadPool.singleton`).
    public init(names: any SIPNameResolver = SIPGetaddrinfoResolver()) {
        self.names = names
    }

    /// The transport, host and port a request to `uri` uses; nil for a tel URI or an unknown
    /// transport.
    public static func hop(for uri: SIPURI) -> (transport: SIPTransportProtocol, host: String, port: Int)? {
        guard uri.scheme != .tel else { return nil }
        let transport: SIPTransportProtocol
        if let token = uri.transport {
            guard let parsed = SIPTransportProtocol(token: token) else { return nil }
            transport = uri.scheme == .sips && parsed == .tcp ? .tls : parsed
        } else {
            transport = uri.scheme == .sips ? .tls : .udp
        }
        var host = uri.parameters.value("maddr") ?? uri.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (transport, host, uri.port ?? transport.defaultPort)
    }

    /// The destination of `uri` when its host is an IP literal (no lookup), else nil.
    public static func literalDestination(for uri: SIPURI) -> SIPDestination? {
        guard let hop = hop(for: uri), let address = try? SocketAddress(ipAddress: hop.host, port: hop.port) else {
            return nil
        }
        return SIPDestination(transport: hop.transport, address: address)
    }

    /// Resolves `uri` to destinations, in the order to try them. `completion` runs at once (on
    /// the calling thread) for an IP literal, else on a thread of the name resolver.
    public func resolve(
        _ uri: SIPURI, completion: @escaping @Sendable (Result<[SIPDestination], SIPTransportError>) -> Void
    ) {
        guard let hop = Self.hop(for: uri) else {
            completion(.failure(SIPTransportError(.unroutable, "no SIP transport for \(uri)")))
            return
        }
        if let address = try? SocketAddress(ipAddress: hop.host, port: hop.port) {
            completion(.success([SIPDestination(transport: hop.transport, address: address)]))
            return
        }
        names.resolve(host: hop.host, port: hop.port) { result in
            switch result {
            case .success(let addresses) where !addresses.isEmpty:
                completion(.success(addresses.map { SIPDestination(transport: hop.transport, address: $0) }))
            case .success:
                completion(.failure(SIPTransportError(.unroutable, "\(hop.host) has no address")))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    /// The destination of a registered flow (RFC 5626 §5.3): over the connection it came on
    /// (TCP/TLS), or to the address it came from (a UDP NAT mapping). Nil when `remote` is not
    /// an `ip:port` text or `transport` is unknown.
    public static func flowDestination(transport: String, remote: String, connectionID: UInt64?) -> SIPDestination? {
        guard let parsedTransport = SIPTransportProtocol(token: transport),
            let hostPort = try? SIPHostPort(parsing: Substring(remote)), let port = hostPort.port,
            let address = try? SocketAddress(ipAddress: hostPort.host, port: port)
        else { return nil }
        return SIPDestination(
            transport: parsedTransport, address: address, connectionID: connectionID.map(SIPConnectionID.init(rawValue:)))
    }
}

/// Resolves a host name to addresses (A and AAAA). Implementations must not block the caller.
public protocol SIPNameResolver: Sendable {
    func resolve(
        host: String, port: Int, completion: @escaping @Sendable (Result<[SocketAddress], SIPTransportError>) -> Void)
}

/// `getaddrinfo` on a thread pool (IPv4 addresses first, then IPv6).
public struct SIPGetaddrinfoResolver: SIPNameResolver {
    let pool: NIOThreadPool

    /// Looks names up on `NIOThreadPool.singleton`.
    public init() {
        self.pool = .singleton
    }

    public func resolve(
        host: String, port: Int, completion: @escaping @Sendable (Result<[SocketAddress], SIPTransportError>) -> Void
    ) {
        pool.submit { state in
            guard case .active = state else {
                completion(.failure(SIPTransportError(.notRunning, "resolver stopped")))
                return
            }
            completion(Self.lookup(host: host, port: port))
        }
    }

    static func lookup(host: String, port: Int) -> Result<[SocketAddress], SIPTransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(SIPTransportError(.unroutable, "cannot resolve \(host) (getaddrinfo \(status))"))
        }
        defer { freeaddrinfo(first) }
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            if let address = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    let parsed = SocketAddress(value, host: host)
                    if !v4.contains(parsed) { v4.append(parsed) }
                case AF_INET6:
                    let value = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    let parsed = SocketAddress(value, host: host)
                    if !v6.contains(parsed) { v6.append(parsed) }
                default:
                    break
                }
            }
            next = entry.pointee.ai_next
        }
        return .success(v4 + v6)
    }
}
