public import SIPAuth

/// How the configuration service (RFC 6011) runs and what it puts in the phones' files.
public struct ProvisioningConfiguration: Sendable {
    /// The password port (HTTP digest, and Basic when ``allowsBasic``); default
    /// `https://0.0.0.0:8443`.
    public var listen: ProvisioningListenAddress
    /// The device port: TLS requires a client certificate signed by ``deviceCABundlePath``, and
    /// the MAC it names (``DeviceCertificateIdentity``) is the only phone it may fetch; nil: off.
    public var deviceListen: ProvisioningListenAddress?
    /// PEM bundle of the CAs that sign device certificates (vendor device CAs).
    public var deviceCABundlePath: String?
    /// The server certificate chain and key (PEM), shared with the SIP TLS listener.
    public var certificatePath: String
    public var privateKeyPath: String
    /// Directory of the `*.mustache` templates (`conf/templates`).
    public var templatesDirectory: String
    /// `Cache-Control: max-age` and the phones' re-sync interval, in seconds (RFC 6011 §2.5.2).
    public var maxAgeSeconds: Int
    /// The digest realm (the SIP realm: a line's credentials work for both).
    public var realm: String
    /// Accept HTTP Basic credentials too (TLS only; RFC 6011 §2.4.1 makes phones support both).
    public var allowsBasic: Bool
    /// What phones are told about the SIP service.
    public var sip: ProvisionedSIPService
    /// When set, responses carry `Link: <sips:~~cf~MAC@domain>;rel="monitor"` (RFC 6011 §2.5.1,
    /// RFC 5989 §3) and phones subscribe for changes instead of polling. Off until a notifier
    /// answers those subscriptions: an RFC 6011 phone given a monitor link does not poll.
    public var monitorDomain: String?
    public var rateLimit: SourceRateLimiter.Configuration
    /// The URL phones reach the password port at, without a trailing slash
    /// (`https://config.example.net:8443`): `Content-Location` of http-monitor NOTIFYs.
    public var baseURL: String
    /// Failed credentials per source before a lockout (429).
    public var lockout: AuthFailureLimiterConfiguration

    public init(
        listen: ProvisioningListenAddress = .default, deviceListen: ProvisioningListenAddress? = nil,
        deviceCABundlePath: String? = nil, certificatePath: String, privateKeyPath: String,
        templatesDirectory: String = "conf/templates", maxAgeSeconds: Int = 3600, realm: String,
        allowsBasic: Bool = false, sip: ProvisionedSIPService, monitorDomain: String? = nil,
        rateLimit: SourceRateLimiter.Configuration = SourceRateLimiter.Configuration(),
        lockout: AuthFailureLimiterConfiguration = AuthFailureLimiterConfiguration(), baseURL: String? = nil
    ) {
        self.baseURL = baseURL ?? "https://\(sip.registrar):\(listen.port)"
        self.listen = listen
        self.deviceListen = deviceListen
        self.deviceCABundlePath = deviceCABundlePath
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.templatesDirectory = templatesDirectory
        self.maxAgeSeconds = maxAgeSeconds
        self.realm = realm
        self.allowsBasic = allowsBasic
        self.sip = sip
        self.monitorDomain = monitorDomain
        self.rateLimit = rateLimit
        self.lockout = lockout
    }
}

/// The SIP service a phone is configured for (RFC 6011 §3.1: registrar, outbound proxy).
public struct ProvisionedSIPService: Sendable, Hashable {
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case udp, tcp, tls
    }

    /// The registrar host (a domain or address).
    public var registrar: String
    public var port: Int
    public var transport: Transport
    /// `host[:port]`, or nil for none.
    public var outboundProxy: String?

    public init(registrar: String, port: Int = 5060, transport: Transport = .udp, outboundProxy: String? = nil) {
        self.registrar = registrar
        self.port = port
        self.transport = transport
        self.outboundProxy = outboundProxy
    }
}
