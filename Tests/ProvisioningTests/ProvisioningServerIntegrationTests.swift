import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Provisioning
import SIPAuth
import SIPCore
import SIPStorage
import SIPTestSupport
import SIPTransport
import ServiceLifecycle
import Testing

/// The configuration service on its real HTTPS listeners (loopback, ephemeral ports), fetched
/// with async-http-client: the password port (digest) and the device port (client certificate).
@Suite("Configuration service over HTTPS")
struct ProvisioningServerIntegrationTests {
    struct Running {
        let passwordPort: Int
        let devicePort: Int
        let directory: String
        let deviceCA: TestPKI
        let harness: ServiceHarness

        var base: String { "https://127.0.0.1:\(passwordPort)" }
    }

    /// Starts the service with both ports; the device port trusts a CA minted here.
    func withServer(_ body: (Running) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-provisioning-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: directory, domains: ["example.net"])
        let deviceCA = try TestPKI.authority("Device CA")
        let ca = try deviceCA.write(to: directory, name: "device-ca")

        let harness = try await ServiceHarness.make()
        var configuration = harness.service.configuration
        configuration.listen = ProvisioningListenAddress(host: "127.0.0.1", port: 0)
        configuration.deviceListen = ProvisioningListenAddress(host: "127.0.0.1", port: 0)
        configuration.deviceCABundlePath = ca.certificate
        configuration.certificatePath = server.certificatePath
        configuration.privateKeyPath = server.privateKeyPath
        configuration.monitorDomain = "example.net"
        let service = try await ConfigurationService.forTests(harness, configuration: configuration)
        let provisioning = try ProvisioningServer(responder: service, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [provisioning.service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let password = try await withDeadline("password port") { try await provisioning.listeningPort() }
            let device = try await withDeadline("device port") { try await provisioning.deviceListeningPort() }
            do {
                try await body(
                    Running(passwordPort: password, devicePort: device, directory: directory, deviceCA: deviceCA, harness: harness))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Runs `body` with a client (presenting `certificate` when given), then shuts it down.
    static func withClient(certificate: TestPKI? = nil, _ body: (HTTPClient) async throws -> Void) async throws {
        let client = try Self.client(certificate: certificate)
        do { try await body(client) } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func client(certificate: TestPKI? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        if let certificate {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(try certificate.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.keyPEM.utf8), format: .pem))
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
    }

    struct Fetched {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// GET `path`; with `user`, answers the 401 with digest credentials.
    static func get(
        _ client: HTTPClient, _ base: String, _ path: String, user: String? = nil, password: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws -> Fetched {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        var response = try await client.execute(request, timeout: .seconds(10))
        if response.status.code == 401, let user {
            _ = try await response.body.collect(upTo: 1 << 16)
            let challenge = try SIPAuthHeader(parsing: Substring(try #require(response.headers.first(name: "WWW-Authenticate"))))
            let credentials = DigestClient.credentials(
                answering: challenge, username: user, password: password ?? "secret" + SIPAuthUsername(user).user,
                method: "GET", digestURI: path, nonceCount: 1, cnonce: "feedface")
            request.headers.replaceOrAdd(name: "Authorization", value: credentials.description)
            response = try await client.execute(request, timeout: .seconds(10))
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Fetched(status: Int(response.status.code), headers: headers, body: String(buffer: body))
    }

    @Test("Digest: 401, then 200 with the Yealink file, ETag, Cache-Control and Link; then 304 on If-None-Match")
    func digestThenConditional() async throws {
        try await withServer { server in
            try await Self.withClient { client in
                let challenge = try await Self.get(client, server.base, "/0000deadbeef.cfg")
                #expect(challenge.status == 401)
                #expect(challenge.headers["www-authenticate"]?.hasPrefix("Digest ") == true)
                let first = try await Self.get(client, server.base, "/0000deadbeef.cfg", user: "69/0000DEADBEEF")
                #expect(first.status == 200)
                #expect(first.body.contains("account.1.auth_name = 69/0000DEADBEEF"))
                #expect(first.body.contains("account.2.auth_name = 70/0000DEADBEEF"))
                #expect(first.headers["cache-control"] == "private, max-age=600")
                #expect(first.headers["link"] == "<sips:~~cf~0000DEADBEEF@example.net>;rel=\"monitor\"")
                let tag = try #require(first.headers["etag"])
                let second = try await Self.get(
                    client, server.base, "/0000deadbeef.cfg", user: "69/0000DEADBEEF", headers: [("If-None-Match", tag)])
                #expect(second.status == 304)
                #expect(second.body.isEmpty)
                #expect(second.headers["etag"] == tag)
                let refused = try await Self.get(client, server.base, "/0000deadbeef.cfg", user: "69/0000DEADBEEF", password: "guess")
                #expect(refused.status == 401)
            }
        }
    }

    @Test("No MAC enumeration: unknown and known MACs answer alike without valid credentials")
    func noEnumeration() async throws {
        try await withServer { server in
            try await Self.withClient { client in
                let known = try await Self.get(client, server.base, "/0000deadbeef.cfg", user: "69/0000DEADBEEF", password: "guess")
                let unknown = try await Self.get(client, server.base, "/0000deadbee0.cfg", user: "69/0000DEADBEE0")
                #expect(known.status == 401 && unknown.status == 401)
                #expect(known.body == unknown.body)
                #expect(known.headers.keys.sorted() == unknown.headers.keys.sorted())
            }
        }
    }

    @Test(
        "Legacy and current names of the same vendor return the same body",
        arguments: [
            ("cisco", "0004F2ABCDEF", "/spa0004f2abcdef.xml", "/0004f2abcdef.xml"),
            ("snom", "000413ABCDEF", "/snomD785-000413ABCDEF.htm", "/000413abcdef.xml"),
            ("yealink", "001565ABCDEF", "/001565abcdef.cfg", "/cfg?sfua-id=urn:uuid:00000000-0000-1000-8000-001565abcdef&sfua-user=71"),
        ])
    func legacyAndCurrent(vendor: String, mac: String, legacy: String, current: String) async throws {
        try await withServer { server in
            _ = try await server.harness.provisioning.addInstrument(
                InstrumentDefinition(
                    id: try #require(SIPInstrumentID(mac)), vendor: vendor, model: "D785",
                    lines: [LineDefinition(user: "71", domain: "example.net")]),
                now: server.harness.clock.now())
            try await Self.withClient { client in
                let old = try await Self.get(client, server.base, legacy, user: "71")
                let new = try await Self.get(client, server.base, current, user: "71")
                #expect(old.status == 200 && new.status == 200)
                #expect(old.body == new.body)
                #expect(old.body.contains("71/\(mac)"))
                #expect(old.headers["etag"] == new.headers["etag"])
            }
        }
    }

    @Test("Device port: a certificate from the device CA naming the MAC gets the file without a password")
    func deviceCertificateAccepted() async throws {
        try await withServer { server in
            let phone = try server.deviceCA.issue(commonName: "SEP0000DEADBEEF")
            try await Self.withClient(certificate: phone) { client in
                let base = "https://127.0.0.1:\(server.devicePort)"
                let own = try await Self.get(client, base, "/0000deadbeef.cfg")
                #expect(own.status == 200)
                #expect(own.body.contains("account.1.auth_name = 69/0000DEADBEEF"))
                let other = try await Self.get(client, base, "/0004f2abcdef.cfg")
                #expect(other.status == 404)
            }
        }
    }

    @Test("Device port: a certificate from another CA, or none, cannot connect")
    func deviceCertificateRefused() async throws {
        try await withServer { server in
            let base = "https://127.0.0.1:\(server.devicePort)"
            let stranger = try TestPKI.authority("Other CA").issue(commonName: "SEP0000DEADBEEF")
            try await Self.withClient(certificate: stranger) { client in
                await #expect(throws: (any Error).self) { _ = try await Self.get(client, base, "/0000deadbeef.cfg") }
            }
            try await Self.withClient { client in
                await #expect(throws: (any Error).self) { _ = try await Self.get(client, base, "/0000deadbeef.cfg") }
            }
        }
    }
}

extension ConfigurationService {
    /// A service over the harness's stores with another configuration (listeners, TLS files).
    static func forTests(_ harness: ServiceHarness, configuration: ProvisioningConfiguration) async throws -> ConfigurationService {
        var digest = DigestConfiguration()
        digest.realm = configuration.realm
        let secret = DigestServerSecret()
        let authenticator = ProvisioningAuthenticator(
            realm: configuration.realm, allowsBasic: false,
            challenger: try DigestChallenger(configuration: digest, secret: secret),
            verifier: try DigestVerifier(configuration: digest, secret: secret),
            limiter: try AuthFailureLimiter(configuration: configuration.lockout), credentials: harness.credentials)
        return ConfigurationService(
            configuration: configuration, templates: try await ConfigurationTemplates(directory: repositoryTemplates),
            provisioning: harness.provisioning, credentials: harness.credentials, authenticator: authenticator,
            logger: Logger(label: "test"))
    }
}
