public import Configuration


/// The whole server's configuration, read from (highest precedence first) command-line flags,
/// environment variables, the YAML file, then these defaults. `conf/switchboard.yaml` is the
/// commented example; every key below appears there.
///
/// Each nested struct reads its own scope of a `ConfigReader` (`init(reader:)`), the way
/// async-http-client's `HTTPClient.Configuration` does.
public struct SwitchboardConfiguration: Sendable {
    /// Keys: `server.domains` (string array, default `[]`: then every local address is "us"),
    /// `server.dataDir` (default `./var`).
    public var domains: [String]
    public var dataDirectory: String
    public var sip: SIPConfiguration
    public var timers: TimerConfiguration
    public var registrar: RegistrarConfiguration
    public var auth: AuthConfiguration
    public var proxy: ProxyConfiguration
    public var admin: AdminConfiguration
    public var provisioning: ProvisioningServiceConfiguration
    public var events: EventsConfiguration
    public var logging: LoggingConfiguration

    public init() {
        domains = []
        dataDirectory = "./var"
        sip = SIPConfiguration()
        timers = TimerConfiguration()
        registrar = RegistrarConfiguration()
        auth = AuthConfiguration()
        proxy = ProxyConfiguration()
        admin = AdminConfiguration()
        provisioning = ProvisioningServiceConfiguration()
        events = EventsConfiguration()
        logging = LoggingConfiguration()
    }

    public init(reader: ConfigReader) throws(SwitchboardConfigurationError) {
        self.init()
        let server = reader.scoped(to: "server")
        domains = server.stringArray(forKey: "domains", default: domains).map { ASCII.lowercased($0) }
        dataDirectory = server.string(forKey: "dataDir", default: dataDirectory)
        sip = try SIPConfiguration(reader: reader.scoped(to: "sip"))
        timers = try TimerConfiguration(reader: reader.scoped(to: "timers"))
        registrar = try RegistrarConfiguration(reader: reader.scoped(to: "registrar"))
        auth = try AuthConfiguration(reader: reader.scoped(to: "auth"), domains: domains)
        proxy = try ProxyConfiguration(reader: reader.scoped(to: "proxy"))
        admin = AdminConfiguration(reader: reader.scoped(to: "admin"))
        provisioning = try ProvisioningServiceConfiguration(reader: reader.scoped(to: "provisioning"))
        events = try EventsConfiguration(reader: reader.scoped(to: "events"))
        logging = try LoggingConfiguration(reader: reader.scoped(to: "logging"))
    }
}

/// A configuration value that is out of range or malformed; names the key.
public struct SwitchboardConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String
    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "configuration \(key): \(message)" }
}

enum ASCII {
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

extension ConfigReader {
    /// An integer within `range`, or a configuration error naming the key.
    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(SwitchboardConfigurationError) -> Int {
        let result = int(forKey: ConfigKey(stringLiteral: key), default: value)
        guard range.contains(result) else {
            throw SwitchboardConfigurationError(key: key, "\(result) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return result
    }

    /// One of `choices`, or a configuration error naming the key.
    func choice(_ key: String, default value: String, _ choices: [String]) throws(SwitchboardConfigurationError) -> String {
        let result = ASCII.lowercased(string(forKey: ConfigKey(stringLiteral: key), default: value))
        guard choices.contains(result) else {
            throw SwitchboardConfigurationError(key: key, "'\(result)' is not one of \(choices.joined(separator: ", "))")
        }
        return result
    }
}
