public import NIOCore
public import SIPCore

/// Everything the transport layer needs to start (RFC 3261 §18): listeners, TLS, limits.
///
/// Built by the server's composition root from the command line (`--sip`, parsed with
/// ``SIPListenerURL/init(parsing:)``) and the configuration file; every field has a default.
public struct SIPTransportConfiguration: Sendable {
    /// Listeners to bind. Default: ``SIPListenerURL/defaults`` (UDP+TCP 0.0.0.0:5060, TLS 0.0.0.0:5061).
    public var listeners: [SIPListener]
    /// Certificate, key and outbound verification for TLS. Needed only when a TLS listener exists
    /// or TLS is used outbound.
    public var tls: SIPTLSSettings
    /// Connection and size limits.
    public var limits: SIPTransportLimits
    /// Parser limits applied to every received message (SIPCore defaults).
    public var parserLimits: SIPParserLimits
    /// Event loop threads when the service creates its own group. Default: `System.coreCount`.
    public var eventLoopThreads: Int
    /// UDP channels per UDP listener. On Linux each is bound with SO_REUSEPORT to the same
    /// address and put on its own event loop, so the kernel spreads datagrams over the cores.
    /// Default: `eventLoopThreads` on Linux, 1 elsewhere.
    public var udpChannelsPerListener: Int
    /// SO_RCVBUF for UDP sockets in bytes. Default 4 MiB (the kernel may cap it at
    /// `net.core.rmem_max`).
    public var udpReceiveBufferSize: Int
    /// The full message trace (`--trace-sip`); off by default.
    public var trace: SIPMessageTrace

    public init(
        listeners: [SIPListener] = SIPListenerURL.defaults.map { SIPListener(url: $0) },
        tls: SIPTLSSettings = SIPTLSSettings(),
        limits: SIPTransportLimits = SIPTransportLimits(),
        parserLimits: SIPParserLimits = .default,
        eventLoopThreads: Int = System.coreCount,
        udpChannelsPerListener: Int? = nil,
        udpReceiveBufferSize: Int = 4 << 20,
        trace: SIPMessageTrace = .off
    ) {
        self.trace = trace
        self.listeners = listeners
        self.tls = tls
        self.limits = limits
        self.parserLimits = parserLimits
        self.eventLoopThreads = max(1, eventLoopThreads)
        #if os(Linux)
        self.udpChannelsPerListener = max(1, udpChannelsPerListener ?? self.eventLoopThreads)
        #else
        self.udpChannelsPerListener = max(1, udpChannelsPerListener ?? 1)
        #endif
        self.udpReceiveBufferSize = udpReceiveBufferSize
    }
}

/// One listener: where to bind and, for TLS, whether to ask for client certificates.
public struct SIPListener: Sendable, Hashable {
    public var url: SIPListenerURL
    /// Client-certificate policy for a TLS listener (ignored for UDP and TCP). Default `.none`.
    public var clientCertificates: SIPTLSClientVerification

    public init(url: SIPListenerURL, clientCertificates: SIPTLSClientVerification = .none) {
        self.url = url
        self.clientCertificates = clientCertificates
    }
}

/// Whether a TLS listener asks the phone for a certificate (RFC 5922 §7.1 mutual TLS).
public enum SIPTLSClientVerification: Sendable, Hashable {
    /// Ask for none.
    case none
    /// Ask for one; a presented certificate must verify against the CA bundle (or the system
    /// roots when `caBundlePath` is nil), but a peer without one is accepted.
    case request(caBundlePath: String?)
    /// Require one that verifies against the CA bundle (or the system roots).
    case require(caBundlePath: String?)

    /// Parses `none`, `request` or `require` (configuration / CLI form).
    public init?(mode: String, caBundlePath: String? = nil) {
        switch mode.lowercased() {
        case "none": self = .none
        case "request": self = .request(caBundlePath: caBundlePath)
        case "require": self = .require(caBundlePath: caBundlePath)
        default: return nil
        }
    }
}

/// How outbound TLS connections check the server they reach.
public enum SIPTLSOutboundVerification: Sendable, Hashable {
    /// No check (lab use only).
    case none
    /// The chain must verify against the trust roots; the name is not checked.
    case noHostnameVerification
    /// Chain and name (or IP address SAN) must verify. The default.
    case full
}

/// TLS settings (RFC 3261 §26.3.1; minimum TLS 1.2).
///
/// When `certificatePath` and `privateKeyPath` are nil, a self-signed certificate is created in
/// `dataDirectory` on first start (see ``SIPSelfSignedCertificate``) and reused afterwards.
public struct SIPTLSSettings: Sendable, Hashable {
    /// PEM certificate chain (leaf first). Default nil.
    public var certificatePath: String?
    /// PEM private key. Default nil.
    public var privateKeyPath: String?
    /// Where the self-signed certificate lives when none is configured. Default `"."`.
    public var dataDirectory: String
    /// Domains added to the self-signed certificate's SANs besides localhost, 127.0.0.1 and ::1.
    public var domains: [String]
    /// Check applied to servers reached by outbound TLS connections. Default `.full`.
    public var outboundVerification: SIPTLSOutboundVerification
    /// PEM trust roots for outbound verification; nil means the system roots. Default nil.
    public var outboundTrustRootsPath: String?

    public init(
        certificatePath: String? = nil,
        privateKeyPath: String? = nil,
        dataDirectory: String = ".",
        domains: [String] = [],
        outboundVerification: SIPTLSOutboundVerification = .full,
        outboundTrustRootsPath: String? = nil
    ) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.dataDirectory = dataDirectory
        self.domains = domains
        self.outboundVerification = outboundVerification
        self.outboundTrustRootsPath = outboundTrustRootsPath
    }
}

/// Connection and size limits of the transport layer, each with its documented default.
public struct SIPTransportLimits: Sendable, Hashable {
    /// Most open TCP+TLS connections (inbound and outbound). Further accepts are closed at once
    /// and counted; outbound sends fail with ``SIPTransportError/Code/connectionLimit``. Default 10,000.
    public var maxConnections: Int
    /// Most unsent bytes queued on one connection; beyond it sends fail with
    /// ``SIPTransportError/Code/bufferLimit``. Inbound bytes per connection are bounded by
    /// ``SIPParserLimits/maxMessageSize``. Default 1 MiB.
    public var maxBufferedBytesPerConnection: Int
    /// A TCP/TLS connection with no traffic in either direction for this long is closed.
    /// RFC 5626 flows stay open because their CRLF keep-alives count as traffic. Default 300 s
    /// (longer than the 120 s keep-alive interval RFC 5626 §4.4.1 suggests for TCP).
    public var idleTimeout: TimeAmount
    /// Timeout for opening an outbound TCP/TLS connection. Default 5 s.
    public var connectTimeout: TimeAmount
    /// Path MTU assumed for UDP (RFC 3261 §18.1.1). Default 1500.
    public var pathMTU: Int
    /// Requests larger than this go over TCP instead of UDP (RFC 3261 §18.1.1). The effective
    /// threshold is `min(udpRequestSizeThreshold, pathMTU - 200)`. Default 1300.
    public var udpRequestSizeThreshold: Int
    /// Largest datagram read from a UDP socket. Default 65,535.
    public var maxDatagramSize: Int
    /// After a framing error on a TCP/TLS connection, how long the connection stays open (reading
    /// nothing more) so that the answers to the requests received before the error can still be
    /// written on it; then it is closed. Default 500 ms.
    /// Graceful shutdown: how long the transport, having stopped reading, waits for the answers
    /// of the requests it took in (``SIPTransportService/setDrainCondition(_:)``) before it
    /// closes the sockets. Default 5 s.
    public var drainTimeout: Duration
    public var framingErrorCloseDelay: TimeAmount

    public init(
        maxConnections: Int = 10_000,
        maxBufferedBytesPerConnection: Int = 1 << 20,
        idleTimeout: TimeAmount = .seconds(300),
        connectTimeout: TimeAmount = .seconds(5),
        pathMTU: Int = 1500,
        udpRequestSizeThreshold: Int = 1300,
        maxDatagramSize: Int = 65_535,
        framingErrorCloseDelay: TimeAmount = .milliseconds(500),
        drainTimeout: Duration = .seconds(5)
    ) {
        self.maxConnections = maxConnections
        self.maxBufferedBytesPerConnection = maxBufferedBytesPerConnection
        self.drainTimeout = drainTimeout
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.pathMTU = pathMTU
        self.udpRequestSizeThreshold = udpRequestSizeThreshold
        self.maxDatagramSize = maxDatagramSize
        self.framingErrorCloseDelay = framingErrorCloseDelay
    }

    /// The size above which a request is not sent over UDP (RFC 3261 §18.1.1).
    public var effectiveUDPThreshold: Int { min(udpRequestSizeThreshold, pathMTU - 200) }
}
