import SIPCore
public import NIOCore

/// One listening address as written on the command line (`--sip udp://0.0.0.0:5060`) or in
/// the configuration file: a transport (RFC 3261 §18), a host and a port.
///
/// Accepted forms: `udp://HOST:PORT`, `tcp://HOST:PORT`, `tls://HOST:PORT`, where HOST is an
/// IPv4 literal, a bracketed IPv6 literal (`tls://[::1]:5061`) or `localhost`, and PORT is
/// 0–65535 (0 asks the kernel for an ephemeral port). The port may be left out and then is the
/// transport's default (5060, or 5061 for TLS; RFC 3261 §19.1.2). The scheme is case-insensitive.
public struct SIPListenerURL: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    public var transport: SIPTransportProtocol
    /// The host without brackets: `0.0.0.0`, `::`, `127.0.0.1`, `::1`, `localhost`.
    public var host: String
    public var port: Int

    public init(transport: SIPTransportProtocol, host: String, port: Int) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// Parses a listener URL; throws ``SIPTransportError/Code/invalidListenerURL``.
    public init(parsing text: String) throws(SIPTransportError) {
        func fail(_ why: String) -> SIPTransportError {
            SIPTransportError(.invalidListenerURL, "'\(text.prefix(100))': \(why)")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw fail("expected udp://, tcp:// or tls://") }
        guard let transport = SIPTransportProtocol(token: text[..<schemeEnd.lowerBound]) else {
            throw fail("unknown transport")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let authority: SIPHostPort
        do { authority = try SIPHostPort(parsing: rest) } catch { throw fail(error.reason) }
        let host = authority.host
        let port = authority.port ?? transport.defaultPort
        self.init(transport: transport, host: host, port: port)
    }

    public init?(_ description: String) {
        guard let parsed = try? SIPListenerURL(parsing: description) else { return nil }
        self = parsed
    }

    /// True when the host is an IPv6 literal.
    public var isIPv6: Bool { host.contains(":") }

    /// `udp://0.0.0.0:5060`, `tls://[::1]:5061`.
    public var description: String {
        isIPv6 ? "\(transport)://[\(host)]:\(port)" : "\(transport)://\(host):\(port)"
    }

    /// The socket address to bind. `localhost` means 127.0.0.1. Does no DNS lookup.
    public func socketAddress() throws(SIPTransportError) -> SocketAddress {
        let literal = host.lowercased() == "localhost" ? "127.0.0.1" : host
        do {
            return try SocketAddress(ipAddress: literal, port: port)
        } catch {
            throw SIPTransportError(.invalidListenerURL, "'\(description)': host must be an IP address or localhost")
        }
    }

    /// The defaults of issue 3: UDP and TCP on 0.0.0.0:5060, TLS on 0.0.0.0:5061.
    public static let defaults: [SIPListenerURL] = [
        SIPListenerURL(transport: .udp, host: "0.0.0.0", port: 5060),
        SIPListenerURL(transport: .tcp, host: "0.0.0.0", port: 5060),
        SIPListenerURL(transport: .tls, host: "0.0.0.0", port: 5061),
    ]
}
