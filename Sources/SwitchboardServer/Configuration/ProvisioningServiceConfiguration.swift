public import Configuration

/// The phone configuration service (RFC 6011). Keys (scope `provisioning`):
/// - `listen`: the password port, `https://HOST:PORT` (default `https://0.0.0.0:8443`), or `off`;
/// - `deviceListen`: the client-certificate port (default: none) and `deviceCABundle`, the PEM
///   bundle of the CAs that sign device certificates (required with `deviceListen`);
/// - `certificate`, `privateKey`: PEM (default: the SIP TLS certificate, self-signed in the data
///   dir when none is configured);
/// - `templates`: the directory of the `*.mustache` templates (default `conf/templates`);
/// - `maxAge`: `Cache-Control: max-age` and the phones' re-sync period, seconds (3600);
/// - `allowBasic`: accept HTTP Basic credentials too (false);
/// - `registrar`, `port`, `transport` (`udp` | `tcp` | `tls`), `outboundProxy`: what phones are
///   told (default: the first domain, 5060, udp, none);
/// - `monitor`: put `Link: <sips:~~cf~MAC@domain>;rel="monitor"` on configurations (true; the
///   http-monitor notifier answers those subscriptions);
/// - `rateLimit.perMinute` (120), `rateLimit.burst` (30), `rateLimit.exempt` (addresses).
public struct ProvisioningServiceConfiguration: Sendable {
    /// nil: the service is off.
    public var listen: String?
    public var deviceListen: String?
    public var deviceCABundlePath: String?
    public var certificatePath: String?
    public var privateKeyPath: String?
    public var templatesDirectory: String
    public var maxAgeSeconds: Int
    public var allowsBasic: Bool
    public var registrar: String?
    public var port: Int
    public var transport: String
    public var outboundProxy: String?
    public var monitor: Bool
    public var rateLimitPerMinute: Int
    public var rateLimitBurst: Int
    public var rateLimitExempt: [String]

    public init() {
        listen = "https://0.0.0.0:8443"
        deviceListen = nil
        deviceCABundlePath = nil
        certificatePath = nil
        privateKeyPath = nil
        templatesDirectory = "conf/templates"
        maxAgeSeconds = 3_600
        allowsBasic = false
        registrar = nil
        port = 5_060
        transport = "udp"
        outboundProxy = nil
        monitor = true
        rateLimitPerMinute = 120
        rateLimitBurst = 30
        rateLimitExempt = []
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        func optional(_ key: ConfigKey) -> String? { reader.string(forKey: key).flatMap { $0.isEmpty ? nil : $0 } }
        let listenText = reader.string(forKey: "listen", default: listen ?? "off")
        listen = ["off", "none", "false", ""].contains(ASCII.lowercased(listenText)) ? nil : listenText
        deviceListen = optional("deviceListen")
        deviceCABundlePath = optional("deviceCABundle")
        if deviceListen != nil, deviceCABundlePath == nil {
            throw SwitchboardConfigurationError(
                key: "provisioning.deviceCABundle", "required with provisioning.deviceListen (the device CAs, PEM)")
        }
        certificatePath = optional("certificate")
        privateKeyPath = optional("privateKey")
        if (certificatePath == nil) != (privateKeyPath == nil) {
            throw SwitchboardConfigurationError(key: "provisioning.certificate", "give both certificate and privateKey, or neither")
        }
        templatesDirectory = reader.string(forKey: "templates", default: templatesDirectory)
        maxAgeSeconds = try reader.int("maxAge", default: maxAgeSeconds, in: 0...31_536_000)
        allowsBasic = reader.bool(forKey: "allowBasic", default: allowsBasic)
        registrar = optional("registrar")
        port = try reader.int("port", default: port, in: 1...65_535)
        transport = try reader.choice("transport", default: transport, ["udp", "tcp", "tls"])
        outboundProxy = optional("outboundProxy")
        monitor = reader.bool(forKey: "monitor", default: monitor)
        rateLimitPerMinute = try reader.int("rateLimit.perMinute", default: rateLimitPerMinute, in: 1...1_000_000)
        rateLimitBurst = try reader.int("rateLimit.burst", default: rateLimitBurst, in: 1...1_000_000)
        rateLimitExempt = reader.stringArray(forKey: "rateLimit.exempt", default: rateLimitExempt)
    }
}
