public import Configuration
import SIPEvents

/// Registration expiry policy (RFC 3261 §10.3) and overload control. Keys (scope `registrar`):
/// `defaultExpires` (seconds, 3600), `minExpires` (60), `maxExpires` (86400), `purgeInterval`
/// (seconds, 30), `overloadCommitBacklog` (binding updates queued or being committed above which
/// new REGISTERs get 503 + Retry-After, 4000).
public struct RegistrarConfiguration: Sendable {
    public var defaultExpires: Int
    public var minExpires: Int
    public var maxExpires: Int
    public var purgeIntervalSeconds: Int
    public var overloadCommitBacklog: Int

    public init() {
        defaultExpires = 3_600
        minExpires = 60
        maxExpires = 86_400
        purgeIntervalSeconds = 30
        overloadCommitBacklog = 4_000
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        minExpires = try reader.int("minExpires", default: minExpires, in: 1...86_400)
        maxExpires = try reader.int("maxExpires", default: maxExpires, in: minExpires...31_536_000)
        defaultExpires = try reader.int("defaultExpires", default: defaultExpires, in: minExpires...maxExpires)
        purgeIntervalSeconds = try reader.int("purgeInterval", default: purgeIntervalSeconds, in: 1...3_600)
        overloadCommitBacklog = try reader.int(
            "overloadCommitBacklog", default: overloadCommitBacklog, in: 1...1_000_000)
    }
}

/// Digest authentication policy (RFC 7616, RFC 8760). Keys (scope `auth`): `realm` (default:
/// the first domain, else `switchboard`), `algorithms` (string array in offer order, one
/// `WWW-Authenticate` each; `MD5`, `SHA-256`, `MD5-sess`, `SHA-256-sess`; default `[MD5]`, see
/// below), `nonceLifetime` (seconds, 300), `instrumentPolicy` (`open` |
/// `provisioned`, default `open`), `requireAORMatch` (bool, true: the user part of the auth
/// username must be the To AOR's user), `verifyDigestURI` (bool, default false: when true the
/// digest `uri` must equal the Request-URI, RFC 2617 §3.2.2.5; off by default because SIPp and
/// several phones put the registrar's address there instead of the Request-URI), `lockout.maxFailures` (10), `lockout.window` (seconds, 60),
/// `lockout.backoff` (seconds, 300), `lockout.exempt` (string array of source addresses, empty),
/// `registerChallenge` (401 | 407, default 401: the status a REGISTER without credentials is
/// challenged with; the instrument draft's own example uses 407. Credentials are accepted in
/// Authorization or Proxy-Authorization either way).
///
/// Why `algorithms` is `[MD5]` by default: every client tested registers with it, and some
/// cannot register when a 401 offers more than one algorithm. baresip 1.0 (libre) gives up on a
/// challenge whose algorithm it does not know (SHA-256) instead of answering the MD5 one next to
/// it, and SIPp 3.6.1 answers only the first challenge; pjsua2 and liblinphone pick the one they
/// support. SHA-256 (RFC 8760) is opt-in: `[SHA-256, MD5]` offers both, SHA-256 preferred (for
/// fleets whose phones all cope with two challenges); `[SHA-256]` refuses MD5 altogether.
public struct AuthConfiguration: Sendable {
    public var realm: String
    public var algorithms: [String]
    public var nonceLifetimeSeconds: Int
    public var instrumentPolicy: String
    public var requireAORMatch: Bool
    public var verifyDigestURI: Bool
    public var lockoutMaxFailures: Int
    public var lockoutWindowSeconds: Int
    public var lockoutBackoffSeconds: Int
    public var lockoutExempt: [String]
    public var registerChallenge: Int

    public init(domains: [String] = []) {
        realm = domains.first ?? "switchboard"
        algorithms = ["MD5"]
        nonceLifetimeSeconds = 300
        instrumentPolicy = "open"
        requireAORMatch = true
        verifyDigestURI = false
        lockoutMaxFailures = 10
        lockoutWindowSeconds = 60
        lockoutBackoffSeconds = 300
        lockoutExempt = []
        registerChallenge = 401
    }

    public init(reader: ConfigReader, domains: [String]) throws(SwitchboardConfigurationError) {
        self.init(domains: domains)
        realm = reader.string(forKey: "realm", default: realm)
        algorithms = reader.stringArray(forKey: "algorithms", default: algorithms).map { $0.uppercased() }
        for algorithm in algorithms where !["MD5", "SHA-256", "MD5-SESS", "SHA-256-SESS"].contains(algorithm) {
            throw SwitchboardConfigurationError(key: "auth.algorithms", "unsupported algorithm \(algorithm)")
        }
        if algorithms.isEmpty { throw SwitchboardConfigurationError(key: "auth.algorithms", "at least one algorithm") }
        nonceLifetimeSeconds = try reader.int("nonceLifetime", default: nonceLifetimeSeconds, in: 10...86_400)
        instrumentPolicy = try reader.choice("instrumentPolicy", default: instrumentPolicy, ["open", "provisioned"])
        requireAORMatch = reader.bool(forKey: "requireAORMatch", default: requireAORMatch)
        verifyDigestURI = reader.bool(forKey: "verifyDigestURI", default: verifyDigestURI)
        lockoutMaxFailures = try reader.int("lockout.maxFailures", default: lockoutMaxFailures, in: 0...1_000_000)
        lockoutWindowSeconds = try reader.int("lockout.window", default: lockoutWindowSeconds, in: 1...86_400)
        lockoutBackoffSeconds = try reader.int("lockout.backoff", default: lockoutBackoffSeconds, in: 1...86_400)
        lockoutExempt = reader.stringArray(forKey: "lockout.exempt", default: lockoutExempt)
        registerChallenge = try reader.int("registerChallenge", default: registerChallenge, in: 401...407)
        guard registerChallenge == 401 || registerChallenge == 407 else {
            throw SwitchboardConfigurationError(key: "auth.registerChallenge", "must be 401 or 407")
        }
    }
}

/// The admin HTTP API. Keys (scope `admin`): `listen` (default `http://127.0.0.1:8080`),
/// `token` (a bearer token every request must carry; required when `listen` is not a loopback
/// address; secret: never logged).
public struct AdminConfiguration: Sendable {
    public var listen: String
    public var token: String?

    public init() { listen = "http://127.0.0.1:8080" }
    public init(reader: ConfigReader) {
        self.init()
        listen = reader.string(forKey: "listen", default: listen)
        token = reader.string(forKey: "token", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Logging. Keys (scope `logging`): `format` (`text` | `json`, default `text`), `level`
/// (`trace` … `critical`, default `info`), `traceSIP` (bool, default false; `serve --trace-sip`):
/// every SIP message in and out in the log, secrets redacted (``SIPMessageTrace``).
public struct LoggingConfiguration: Sendable {
    public var format: String
    public var level: String
    public var traceSIP: Bool

    public init() {
        format = "text"
        level = "info"
        traceSIP = false
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        format = try reader.choice("format", default: format, ["text", "json"])
        level = try reader.choice(
            "level", default: level, ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        traceSIP = reader.bool(forKey: "traceSIP", default: traceSIP)
    }
}

/// The notifier (RFC 6665). Keys (scope `events`): `requireTLS` (bool, default true: an
/// http-monitor SUBSCRIBE must come over TLS, RFC 5989 §6; a `sips:` one always must),
/// `monitorMinExpires` (60), `monitorMaxExpires` (604800), `monitorDefaultExpires` (86400):
/// subscription durations in seconds (RFC 5989 §4.4); `resync` (string array of vendors,
/// default empty): on a configuration change, phones of these vendors that hold no http-monitor
/// subscription get their vendor's out-of-dialog NOTIFY (`check-sync`, Cisco `resync`).
public struct EventsConfiguration: Sendable {
    public var requireTLS: Bool
    public var resyncVendors: [String]
    public var monitorMinExpires: Int
    public var monitorDefaultExpires: Int
    public var monitorMaxExpires: Int

    public init() {
        requireTLS = true
        resyncVendors = []
        monitorMinExpires = 60
        monitorDefaultExpires = 86_400
        monitorMaxExpires = 604_800
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        requireTLS = reader.bool(forKey: "requireTLS", default: requireTLS)
        resyncVendors = reader.stringArray(forKey: "resync", default: resyncVendors).map { $0.lowercased() }
        for vendor in resyncVendors where ResyncMechanism(vendor: vendor) == nil {
            throw SwitchboardConfigurationError(
                key: "events.resync", "unknown vendor \(vendor) (one of \(ResyncMechanism.vendors.joined(separator: ", ")))")
        }
        monitorMinExpires = try reader.int("monitorMinExpires", default: monitorMinExpires, in: 1...86_400)
        monitorMaxExpires = try reader.int("monitorMaxExpires", default: monitorMaxExpires, in: monitorMinExpires...31_536_000)
        monitorDefaultExpires = try reader.int(
            "monitorDefaultExpires", default: monitorDefaultExpires, in: monitorMinExpires...monitorMaxExpires)
    }
}
