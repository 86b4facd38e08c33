public import Configuration
public import SIPCore

/// SIP listeners, TLS and parser/connection limits.
///
/// Keys (scope `sip`): `listen` (string array of `udp://HOST:PORT`, `tcp://…`, `tls://…`;
/// default udp+tcp `0.0.0.0:5060`, tls `0.0.0.0:5061`), `tls.certificate` and `tls.privateKey`
/// (PEM paths; empty: a self-signed certificate is created in the data dir), `tls.clientVerification`
/// (`none` | `request` | `require`, default `none`), `tls.caBundle` (PEM path),
/// `limits.maxMessageSize` (65536), `limits.maxHeaderCount` (256), `limits.maxHeaderLineLength`
/// (8192), `limits.maxURILength` (2048), `connections.idleTimeout` (seconds, 300),
/// `connections.max` (10000), `connections.maxBufferedBytes` (262144).
public struct SIPConfiguration: Sendable {
    public static let defaultListeners = ["udp://0.0.0.0:5060", "tcp://0.0.0.0:5060", "tls://0.0.0.0:5061"]

    public var listeners: [String]
    public var tlsCertificatePath: String?
    public var tlsPrivateKeyPath: String?
    public var tlsClientVerification: String
    public var tlsCABundlePath: String?
    public var limits: SIPParserLimits
    public var connectionIdleTimeoutSeconds: Int
    public var maxConnections: Int
    public var maxBufferedBytesPerConnection: Int

    public init() {
        listeners = Self.defaultListeners
        tlsCertificatePath = nil
        tlsPrivateKeyPath = nil
        tlsClientVerification = "none"
        tlsCABundlePath = nil
        limits = SIPParserLimits()
        connectionIdleTimeoutSeconds = 300
        maxConnections = 10_000
        maxBufferedBytesPerConnection = 262_144
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        listeners = reader.stringArray(forKey: "listen", default: listeners)
        if listeners.isEmpty { throw SwitchboardConfigurationError(key: "sip.listen", "no SIP listener configured") }
        tlsCertificatePath = reader.string(forKey: "tls.certificate").flatMap { $0.isEmpty ? nil : $0 }
        tlsPrivateKeyPath = reader.string(forKey: "tls.privateKey").flatMap { $0.isEmpty ? nil : $0 }
        if (tlsCertificatePath == nil) != (tlsPrivateKeyPath == nil) {
            throw SwitchboardConfigurationError(key: "sip.tls", "certificate and privateKey must be given together")
        }
        tlsClientVerification = try reader.choice(
            "tls.clientVerification", default: tlsClientVerification, ["none", "request", "require"])
        tlsCABundlePath = reader.string(forKey: "tls.caBundle").flatMap { $0.isEmpty ? nil : $0 }
        limits.maxMessageSize = try reader.int("limits.maxMessageSize", default: limits.maxMessageSize, in: 1_500...1_048_576)
        limits.maxHeaderCount = try reader.int("limits.maxHeaderCount", default: limits.maxHeaderCount, in: 16...4_096)
        limits.maxHeaderLineLength = try reader.int(
            "limits.maxHeaderLineLength", default: limits.maxHeaderLineLength, in: 256...65_536)
        limits.maxURILength = try reader.int("limits.maxURILength", default: limits.maxURILength, in: 64...65_536)
        connectionIdleTimeoutSeconds = try reader.int(
            "connections.idleTimeout", default: connectionIdleTimeoutSeconds, in: 1...86_400)
        maxConnections = try reader.int("connections.max", default: maxConnections, in: 1...1_000_000)
        maxBufferedBytesPerConnection = try reader.int(
            "connections.maxBufferedBytes", default: maxBufferedBytesPerConnection, in: 4_096...16_777_216)
    }
}

/// RFC 3261 §17 timer base values (Table 4). Keys (scope `timers`): `t1` (ms, 500), `t2` (ms,
/// 4000), `t4` (ms, 5000).
public struct TimerConfiguration: Sendable {
    public var t1Milliseconds: Int
    public var t2Milliseconds: Int
    public var t4Milliseconds: Int

    public init() {
        t1Milliseconds = 500
        t2Milliseconds = 4_000
        t4Milliseconds = 5_000
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        t1Milliseconds = try reader.int("t1", default: t1Milliseconds, in: 10...60_000)
        t2Milliseconds = try reader.int("t2", default: t2Milliseconds, in: t1Milliseconds...600_000)
        t4Milliseconds = try reader.int("t4", default: t4Milliseconds, in: 10...600_000)
    }
}
