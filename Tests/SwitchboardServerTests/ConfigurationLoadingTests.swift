import Configuration
import Foundation
import SIPCore
import SwitchboardServer
import Testing

/// `SwitchboardConfiguration.load`: the example file `conf/switchboard.yaml` as shipped, and the
/// precedence YAML file < `SWITCHBOARD_*` environment < command-line flags (`overrides`, the
/// keys `switchboard serve` maps its flags to). The environment is injected, so the process
/// environment is neither read nor changed.
@Suite("Configuration loading: conf/switchboard.yaml, environment, flags")
struct ConfigurationLoadingTests {
    /// `conf/switchboard.yaml` of this package, found from this file's path.
    static let exampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conf/switchboard.yaml").path

    @Test("conf/switchboard.yaml loads, and its values are the ones it documents")
    func exampleFileLoads() async throws {
        let loaded = try await SwitchboardConfiguration.load(filePath: Self.exampleFile, environment: [:])
        // Set by the file (the built-in default has no domain).
        #expect(loaded.domains == ["example.net"])
        #expect(loaded.auth.realm == "example.net")
        #expect(loaded.dataDirectory == "./var")
        #expect(loaded.sip.listeners == ["udp://0.0.0.0:5060", "tcp://0.0.0.0:5060", "tls://0.0.0.0:5061"])
        #expect(loaded.sip.tlsCertificatePath == nil && loaded.sip.tlsPrivateKeyPath == nil)
        #expect(loaded.sip.tlsClientVerification == "none")
        #expect(loaded.sip.limits.maxMessageSize == 65_536)
        #expect(loaded.sip.limits.maxHeaderCount == 256)
        #expect(loaded.sip.connectionIdleTimeoutSeconds == 300)
        #expect(loaded.sip.maxConnections == 10_000)
        #expect(loaded.timers.t1Milliseconds == 500 && loaded.timers.t2Milliseconds == 4_000)
        #expect(loaded.registrar.defaultExpires == 3_600 && loaded.registrar.minExpires == 60)
        #expect(loaded.registrar.maxExpires == 86_400 && loaded.registrar.purgeIntervalSeconds == 30)
        #expect(loaded.auth.algorithms == ["MD5"])
        #expect(loaded.auth.nonceLifetimeSeconds == 300)
        #expect(loaded.auth.requireAORMatch && !loaded.auth.verifyDigestURI)
        #expect(loaded.auth.lockoutMaxFailures == 10 && loaded.auth.lockoutBackoffSeconds == 300)
        #expect(loaded.admin.listen == "http://127.0.0.1:8080")
        #expect(loaded.logging.format == "text" && loaded.logging.level == "info")
    }

    @Test("The example file shows the built-in defaults (its header says so): apart from the domain, file = code")
    func exampleFileMatchesTheBuiltInDefaults() async throws {
        let file = try await SwitchboardConfiguration.load(filePath: Self.exampleFile, environment: [:])
        let builtIn = try await SwitchboardConfiguration.load(
            filePath: nil, overrides: ["server.domains": .stringArray(["example.net"])], environment: [:])
        #expect(file.dataDirectory == builtIn.dataDirectory)
        #expect(file.sip.listeners == builtIn.sip.listeners)
        #expect(file.sip.limits == builtIn.sip.limits)
        #expect(file.sip.connectionIdleTimeoutSeconds == builtIn.sip.connectionIdleTimeoutSeconds)
        #expect(file.sip.maxConnections == builtIn.sip.maxConnections)
        #expect(file.sip.maxBufferedBytesPerConnection == builtIn.sip.maxBufferedBytesPerConnection)
        #expect(file.timers.t1Milliseconds == builtIn.timers.t1Milliseconds)
        #expect(file.timers.t2Milliseconds == builtIn.timers.t2Milliseconds)
        #expect(file.timers.t4Milliseconds == builtIn.timers.t4Milliseconds)
        #expect(file.registrar.defaultExpires == builtIn.registrar.defaultExpires)
        #expect(file.registrar.minExpires == builtIn.registrar.minExpires)
        #expect(file.registrar.maxExpires == builtIn.registrar.maxExpires)
        #expect(file.registrar.purgeIntervalSeconds == builtIn.registrar.purgeIntervalSeconds)
        #expect(file.auth.realm == builtIn.auth.realm)
        #expect(file.auth.algorithms == builtIn.auth.algorithms)
        #expect(file.auth.nonceLifetimeSeconds == builtIn.auth.nonceLifetimeSeconds)
        #expect(file.auth.instrumentPolicy == builtIn.auth.instrumentPolicy)
        #expect(file.auth.requireAORMatch == builtIn.auth.requireAORMatch)
        #expect(file.auth.verifyDigestURI == builtIn.auth.verifyDigestURI)
        #expect(file.auth.lockoutMaxFailures == builtIn.auth.lockoutMaxFailures)
        #expect(file.auth.lockoutWindowSeconds == builtIn.auth.lockoutWindowSeconds)
        #expect(file.auth.lockoutBackoffSeconds == builtIn.auth.lockoutBackoffSeconds)
        #expect(file.admin.listen == builtIn.admin.listen)
        #expect(file.logging.format == builtIn.logging.format)
        #expect(file.logging.level == builtIn.logging.level)
    }

    @Test("An environment variable overrides the file; keys it does not name still come from the file")
    func environmentOverridesTheFile() async throws {
        let environment = [
            "SWITCHBOARD_SERVER_DATA_DIR": "/srv/switchboard-env",
            "SWITCHBOARD_SIP_LISTEN": "udp://127.0.0.1:5070, tcp://127.0.0.1:5070",
            "SWITCHBOARD_AUTH_ALGORITHMS": "SHA-256,MD5",
            "SWITCHBOARD_REGISTRAR_MIN_EXPIRES": "120",
            "SWITCHBOARD_LOGGING_LEVEL": "notice",
            "SWITCHBOARD_ADMIN_LISTEN_WRONG": "ignored: no such key",
            "ADMIN_LISTEN": "ignored: no SWITCHBOARD_ prefix",
        ]
        let loaded = try await SwitchboardConfiguration.load(filePath: Self.exampleFile, environment: environment)
        #expect(loaded.dataDirectory == "/srv/switchboard-env")
        #expect(loaded.sip.listeners == ["udp://127.0.0.1:5070", "tcp://127.0.0.1:5070"])
        #expect(loaded.auth.algorithms == ["SHA-256", "MD5"])
        #expect(loaded.registrar.minExpires == 120)
        #expect(loaded.logging.level == "notice")
        // Not in the environment: the file's values.
        #expect(loaded.domains == ["example.net"])
        #expect(loaded.admin.listen == "http://127.0.0.1:8080")
        #expect(loaded.registrar.maxExpires == 86_400)
    }

    @Test("A flag overrides the environment and the file")
    func flagsOverrideEnvironmentAndFile() async throws {
        let environment = [
            "SWITCHBOARD_SERVER_DATA_DIR": "/srv/switchboard-env",
            "SWITCHBOARD_SIP_LISTEN": "udp://127.0.0.1:5070",
            "SWITCHBOARD_LOGGING_LEVEL": "notice",
            "SWITCHBOARD_ADMIN_LISTEN": "http://127.0.0.1:9090",
        ]
        // The keys `switchboard serve` maps its flags to (--data, --sip, --log-level, --domain).
        let flags: [String: ConfigContent] = [
            "server.dataDir": .string("/srv/switchboard-flag"),
            "sip.listen": .stringArray(["tcp://127.0.0.1:5080"]),
            "logging.level": .string("debug"),
            "server.domains": .stringArray(["flag.example"]),
        ]
        let loaded = try await SwitchboardConfiguration.load(
            filePath: Self.exampleFile, overrides: flags, environment: environment)
        #expect(loaded.dataDirectory == "/srv/switchboard-flag")
        #expect(loaded.sip.listeners == ["tcp://127.0.0.1:5080"])
        #expect(loaded.logging.level == "debug")
        #expect(loaded.domains == ["flag.example"])
        // No flag: the environment, then the file.
        #expect(loaded.admin.listen == "http://127.0.0.1:9090")
        #expect(loaded.auth.algorithms == ["MD5"])
        // The realm follows the first domain, whatever supplied it.
        #expect(loaded.auth.realm == "example.net", "auth.realm is set in the file itself")
    }

    @Test("A bad value from the environment is refused with the key named")
    func badEnvironmentValueNamesTheKey() async throws {
        await #expect {
            try await SwitchboardConfiguration.load(
                filePath: Self.exampleFile, environment: ["SWITCHBOARD_AUTH_ALGORITHMS": "MD4"])
        } throws: { error in
            (error as? SwitchboardConfigurationError)?.key == "auth.algorithms"
        }
    }

    @Test("A missing file is an error, not silently the defaults")
    func missingFileIsAnError() async throws {
        await #expect(throws: (any Error).self) {
            try await SwitchboardConfiguration.load(
                filePath: Self.exampleFile + ".does-not-exist", environment: [:])
        }
    }
}
