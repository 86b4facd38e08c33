public import Configuration
import SystemPackage

extension SwitchboardConfiguration {
    /// Reads the configuration from, in order of precedence: `overrides` (command-line flags),
    /// environment variables prefixed `SWITCHBOARD_` (`sip.listen` → `SWITCHBOARD_SIP_LISTEN`,
    /// arrays comma-separated), the YAML file at `filePath` (when given; it must exist), and
    /// the defaults.
    ///
    /// - Parameter overrides: dotted keys (`server.dataDir`) to values.
    public static func load(
        filePath: String?, overrides: [String: ConfigContent] = [:], environment: [String: String]? = nil
    ) async throws -> SwitchboardConfiguration {
        var providers: [any ConfigProvider] = []
        if !overrides.isEmpty {
            var values: [AbsoluteConfigKey: ConfigValue] = [:]
            for (key, content) in overrides { values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: false) }
            providers.append(InMemoryProvider(name: "command line", values: values))
        }
        let env: EnvironmentVariablesProvider
        if let environment {
            env = EnvironmentVariablesProvider(environmentVariables: environment)
        } else {
            env = EnvironmentVariablesProvider()
        }
        providers.append(env.prefixKeys(with: "switchboard"))
        if let filePath {
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
        }
        providers.append(InMemoryProvider(name: "defaults", values: [:]))
        return try SwitchboardConfiguration(reader: ConfigReader(providers: providers))
    }
}
