public import NIOCore

/// One bound listener: as configured, and the address the socket actually has (the port is
/// known here when port 0 was configured).
public struct SIPBoundListener: Sendable, Hashable, CustomStringConvertible {
    /// The listener as configured.
    public var configured: SIPListener
    /// The bound socket address.
    public var address: SocketAddress

    public init(configured: SIPListener, address: SocketAddress) {
        self.configured = configured
        self.address = address
    }

    public var transport: SIPTransportProtocol { configured.url.transport }
    /// The bound port.
    public var port: Int { address.port ?? configured.url.port }
    /// The listener URL with the bound port, e.g. `udp://127.0.0.1:40123`.
    public var url: SIPListenerURL {
        SIPListenerURL(transport: transport, host: configured.url.host, port: port)
    }
    public var description: String { url.description }
}

/// What ``SIPTransportService`` reports once every listener is bound.
public struct SIPTransportStartup: Sendable {
    /// Bound listeners, in configuration order.
    public var listeners: [SIPBoundListener]
    /// The TLS certificate in use, when a TLS listener exists; log its fingerprint.
    public var tlsCertificate: SIPTLSCertificateInfo?

    public init(listeners: [SIPBoundListener], tlsCertificate: SIPTLSCertificateInfo?) {
        self.listeners = listeners
        self.tlsCertificate = tlsCertificate
    }
}
