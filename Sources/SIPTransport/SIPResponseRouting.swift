public import NIOCore
public import SIPCore

/// Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4), worked out from its top Via and
/// the source of the request it answers. Pure; does no DNS lookup: a host name that is not an
/// IP literal is skipped (the transport always adds `received` in that case, §18.2.1).
public enum SIPResponseRouting {
    /// The address for a response over UDP, in this order:
    /// 1. `maddr` (an IP literal), port = sent-by port or the default port;
    /// 2. `received`, port = `rport` value, else sent-by port, else the default port;
    /// 3. sent-by host (an IP literal), port = `rport` value, else sent-by port, else default;
    /// 4. the request's source address.
    public static func datagramDestination(topVia: SIPVia, source: SIPSource) -> SocketAddress {
        let defaultPort = SIPTransportProtocol(token: topVia.transport)?.defaultPort ?? 5060
        let rport: Int? = topVia.rport.flatMap { $0 }
        if let maddr = topVia.maddr, let address = address(maddr, port: topVia.port ?? defaultPort) {
            return address
        }
        if let received = topVia.received, let address = address(received, port: rport ?? topVia.port ?? defaultPort) {
            return address
        }
        if let address = address(topVia.host, port: rport ?? topVia.port ?? defaultPort) { return address }
        return source.remote
    }

    /// The address to open a new connection to when the request's TCP/TLS connection is gone
    /// (§18.2.2): `received` (or the sent-by IP) and the sent-by port or the transport's default
    /// port. `rport` is not used: on a stream it names the vanished connection's ephemeral port.
    public static func streamFallbackDestination(topVia: SIPVia, source: SIPSource) -> SocketAddress? {
        let port = topVia.port ?? source.transport.defaultPort
        if let received = topVia.received, let address = address(received, port: port) { return address }
        return address(topVia.host, port: port)
    }

    static func address(_ host: String, port: Int) -> SocketAddress? {
        guard let ip = SIPViaProcessing.normalizedIP(host) else { return nil }
        return try? SocketAddress(ipAddress: ip, port: port)
    }
}
