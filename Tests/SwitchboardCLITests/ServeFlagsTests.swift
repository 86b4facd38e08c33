import ArgumentParser
import Configuration
import Foundation
import SwitchboardServer
import Testing

@testable import switchboard

/// `switchboard serve` flags, end to end through the real loader: each flag lands on its key and
/// beats both the `SWITCHBOARD_*` environment and `conf/switchboard.yaml`.
@Suite("serve flags override the environment and the file")
struct ServeFlagsTests {
    static let exampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conf/switchboard.yaml").path

    @Test("Every serve flag beats the environment, which beats the file")
    func flagsWin() async throws {
        let environment = [
            "SWITCHBOARD_SERVER_DATA_DIR": "/env/data",
            "SWITCHBOARD_SERVER_DOMAINS": "env.example",
            "SWITCHBOARD_SIP_LISTEN": "udp://127.0.0.1:5070",
            "SWITCHBOARD_ADMIN_LISTEN": "http://127.0.0.1:9070",
            "SWITCHBOARD_LOGGING_FORMAT": "text",
            "SWITCHBOARD_LOGGING_LEVEL": "notice",
        ]
        let serve = try Serve.parse([
            "--data", "/flag/data", "--domain", "flag.example", "--domain", "other.example",
            "--sip", "tcp://127.0.0.1:5080", "--admin", "http://127.0.0.1:9080",
            "--log-format", "json", "--log-level", "debug", "--trace-sip",
        ])
        let loaded = try await SwitchboardConfiguration.load(
            filePath: Self.exampleFile, overrides: serve.overrides, environment: environment)
        #expect(loaded.dataDirectory == "/flag/data")
        #expect(loaded.domains == ["flag.example", "other.example"])
        #expect(loaded.sip.listeners == ["tcp://127.0.0.1:5080"])
        #expect(loaded.admin.listen == "http://127.0.0.1:9080")
        #expect(loaded.logging.format == "json")
        #expect(loaded.logging.level == "debug")
        #expect(loaded.logging.traceSIP, "--trace-sip sets logging.traceSIP")

        // Without flags the environment wins over the file.
        let unflagged = try await SwitchboardConfiguration.load(
            filePath: Self.exampleFile, overrides: try Serve.parse([]).overrides, environment: environment)
        #expect(unflagged.dataDirectory == "/env/data")
        #expect(unflagged.domains == ["env.example"])
        #expect(unflagged.logging.level == "notice")
        #expect(!unflagged.logging.traceSIP, "off in the example file")
        let traced = try await SwitchboardConfiguration.load(
            filePath: Self.exampleFile, overrides: [:], environment: ["SWITCHBOARD_LOGGING_TRACE_SIP": "true"])
        #expect(traced.logging.traceSIP, "logging.traceSIP from the environment")
        #expect(unflagged.registrar.defaultExpires == 3_600, "from the file")
    }
}
