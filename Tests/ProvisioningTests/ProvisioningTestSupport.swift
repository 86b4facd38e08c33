import Foundation
import Logging
import Provisioning
import SIPAuth
import SIPCore
import SIPStorage
import SIPTestSupport

/// The repository's `conf/templates`: tests render what operators ship.
let repositoryTemplates = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("conf/templates").path

let deadBeef = SIPInstrumentID("0000DEADBEEF")!

/// A configuration service over in-memory stores: users 69, 70 (`secret69`, `secret70`) and 71;
/// 0000DEADBEEF provisioned with lines 69 and 70 for `vendor`; a manual clock.
struct ServiceHarness {
    let service: ConfigurationService
    let provisioning: InMemoryProvisioningStore
    let credentials: InMemoryCredentialStore
    let clock: ManualClock
    let logs: LogCapture
    let challenger: DigestChallenger

    static func make(
        vendor: String = "yealink", model: String? = "T54W", monitorDomain: String? = nil, allowsBasic: Bool = false,
        rateLimit: SourceRateLimiter.Configuration = SourceRateLimiter.Configuration(),
        lockout: AuthFailureLimiterConfiguration = AuthFailureLimiterConfiguration()
    ) async throws -> ServiceHarness {
        let clock = ManualClock()
        let credentials = InMemoryCredentialStore()
        for user in ["69", "70", "71"] {
            try await credentials.addUser(
                SIPUserCredential(user: user, domain: "example.net", password: "secret\(user)"), now: clock.now())
        }
        let provisioning = InMemoryProvisioningStore()
        try await provisioning.addInstrument(
            InstrumentDefinition(
                id: deadBeef, vendor: vendor, model: model,
                lines: [LineDefinition(user: "69", domain: "example.net"), LineDefinition(user: "70", domain: "example.net")]),
            now: clock.now())
        var digest = DigestConfiguration()
        digest.realm = "example.net"
        let secret = DigestServerSecret()
        let challenger = try DigestChallenger(configuration: digest, secret: secret, clock: clock)
        let verifier = try DigestVerifier(configuration: digest, secret: secret, clock: clock)
        let configuration = ProvisioningConfiguration(
            certificatePath: "", privateKeyPath: "", templatesDirectory: repositoryTemplates, maxAgeSeconds: 600,
            realm: "example.net", allowsBasic: allowsBasic,
            sip: ProvisionedSIPService(registrar: "sip.example.net", port: 5060, transport: .udp),
            monitorDomain: monitorDomain, rateLimit: rateLimit, lockout: lockout)
        let logs = LogCapture()
        let authenticator = ProvisioningAuthenticator(
            realm: "example.net", allowsBasic: allowsBasic, challenger: challenger, verifier: verifier,
            limiter: try AuthFailureLimiter(configuration: lockout, clock: clock), credentials: credentials, clock: clock)
        let service = ConfigurationService(
            configuration: configuration, templates: try await ConfigurationTemplates(directory: repositoryTemplates),
            provisioning: provisioning, credentials: credentials, authenticator: authenticator, clock: clock,
            logger: logs.logger)
        return ServiceHarness(
            service: service, provisioning: provisioning, credentials: credentials, clock: clock, logs: logs,
            challenger: challenger)
    }

    /// GET `target` unauthenticated, then answer the 401 with digest credentials; returns the
    /// final answer (or the 401 when the first answer was not a challenge).
    func get(
        _ target: String, user: String? = "69/0000DEADBEEF", password: String? = nil, source: String = "192.0.2.10",
        conditions: ConditionalRequest = ConditionalRequest(), port: ConfigurationRequest.Port = .password,
        method: String = "GET"
    ) async throws -> ConfigurationAnswer {
        let request = Self.request(target, source: source, conditions: conditions, port: port, method: method)
        let first = await service.respond(to: request)
        guard first.status == 401, let user else { return first }
        let challengeText = try require_(first.header("WWW-Authenticate"))
        let challenge = try SIPAuthHeader(parsing: Substring(challengeText))
        let name = SIPAuthUsername(user)
        let credentials = DigestClient.credentials(
            answering: challenge, username: user, password: password ?? "secret\(name.user)", method: method,
            digestURI: target, nonceCount: 1, cnonce: "c0ffee")
        var second = request
        second.authorization = credentials.description
        return await service.respond(to: second)
    }

    static func request(
        _ target: String, source: String = "192.0.2.10", conditions: ConditionalRequest = ConditionalRequest(),
        port: ConfigurationRequest.Port = .password, method: String = "GET", authorization: String? = nil
    ) -> ConfigurationRequest {
        let parts = target.split(separator: "?", maxSplits: 1)
        var query: [(name: String, value: String)] = []
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1)
                query.append((String(pair[0]).removingPercentEncoding ?? "", pair.count == 2 ? String(pair[1]).removingPercentEncoding ?? "" : ""))
            }
        }
        return ConfigurationRequest(
            method: method, path: String(parts[0]), query: query, target: target, authorization: authorization,
            conditions: conditions, source: source, port: port)
    }
}

struct MissingValue: Error {}

/// `#require` for plain functions.
func require_<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}

extension ConfigurationAnswer {
    var text: String { String(decoding: body, as: UTF8.self) }
}
