import Logging
import SIPAuth
import SIPCore
import SIPEvents
import SIPStorage
import SIPTestSupport
import SIPTransport
import Synchronization
import Testing

/// Answers the first request of each Call-ID with `first`, later ones 200.
final class ChallengingPhone: SIPRequestSending {
    let first: Int
    private let seen = Mutex<[SIPRequest]>([])
    init(first: Int) { self.first = first }
    var requests: [SIPRequest] { seen.withLock { $0 } }

    func send(_ request: SIPRequest, to destination: SIPDestination) async -> SIPResponse? {
        let isFirst = seen.withLock { seen in
            defer { seen.append(request) }
            return !seen.contains { $0.headers[.callID] == request.headers[.callID] }
        }
        var response = SIPResponse(answering: request, statusCode: isFirst ? first : 200)
        if isFirst, first == 401 {
            response.headers.append(.wwwAuthenticate, #"Digest realm="example.net", nonce="n0nce", qop="auth", algorithm=MD5"#)
        }
        return response
    }

    func makeBranch() -> String { "z9hG4bK-\(SIPTag.random())" }
}

@Suite("Resync NOTIFY for phones without http-monitor")
struct ResyncNotifierTests {
    static let mac = SIPInstrumentID("0004F2ABCDEF")!

    func fixture(vendor: String, resync: Set<String>, phone: ChallengingPhone) async throws
        -> (ResyncNotifier, ProvisionedInstrument)
    {
        let clock = ManualClock()
        let credentials = InMemoryCredentialStore()
        for user in ["70", "71"] {
            try await credentials.addUser(SIPUserCredential(user: user, domain: "example.net", password: "secret\(user)"), now: clock.now())
        }
        let instrument = try ProvisionedInstrument(
            InstrumentDefinition(
                id: Self.mac, vendor: vendor,
                lines: [LineDefinition(user: "70", domain: "example.net"), LineDefinition(user: "71", domain: "example.net")]),
            now: clock.now())
        let location = LocationService()
        // Both lines registered from the same flow, one more line from another.
        location.apply([
            BindingChange(kind: .added, binding: makeBinding(user: "70", instrument: Self.mac.value, path: [], source: "192.0.2.10:5062", transport: "udp", localListener: "192.0.2.1:5060")),
            BindingChange(kind: .added, binding: makeBinding(user: "71", instrument: Self.mac.value, path: ["<sip:edge.example.net;lr>"], source: "192.0.2.10:5062", transport: "udp", localListener: "192.0.2.1:5060")),
        ])
        let notifier = ResyncNotifier(
            vendors: resync, location: location, credentials: credentials, sender: phone, domain: "example.net", clock: clock,
            logger: Logger(label: "test"))
        return (notifier, instrument)
    }

    @Test("Polycom: one check-sync;reboot=false per flow, the challenge answered with the line's user/MAC")
    func polycom() async throws {
        let phone = ChallengingPhone(first: 401)
        let (notifier, instrument) = try await fixture(vendor: "polycom", resync: ["polycom"], phone: phone)
        #expect(await notifier.configurationChanged(instrument) == [200])
        #expect(phone.requests.count == 2)
        let first = phone.requests[0]
        #expect(first.method == .notify)
        #expect(first.headers[.event] == "check-sync;reboot=false")
        #expect(first.headers[.subscriptionState] == "terminated")
        #expect(first.headers[.cseq] == "1 NOTIFY")
        let retry = phone.requests[1]
        #expect(retry.headers[.cseq] == "2 NOTIFY")
        #expect(retry.headers[.callID] == first.headers[.callID])
        let authorization = try #require(retry.headers[.authorization].map(String.init))
        let credentials = try SIPAuthHeader(parsing: Substring(authorization))
        #expect(credentials.username?.hasSuffix("/0004F2ABCDEF") == true)
        #expect(credentials.value("nonce") == "n0nce")
    }

    @Test("Cisco gets resync; Grandstream check-sync without reboot parameter", arguments: [("cisco", "resync"), ("grandstream", "check-sync")])
    func events(vendor: String, event: String) async throws {
        let phone = ChallengingPhone(first: 200)
        let (notifier, instrument) = try await fixture(vendor: vendor, resync: [vendor], phone: phone)
        #expect(await notifier.configurationChanged(instrument) == [200])
        #expect(phone.requests.first?.headers[.event].map(String.init) == event)
    }

    @Test("A vendor not enabled gets nothing")
    func notEnabled() async throws {
        let phone = ChallengingPhone(first: 200)
        let (notifier, instrument) = try await fixture(vendor: "yealink", resync: ["polycom"], phone: phone)
        #expect(await notifier.configurationChanged(instrument).isEmpty)
        #expect(phone.requests.isEmpty)
    }
}

@Suite("http-monitor package")
struct HTTPMonitorPackageTests {
    func package(head: ConfigurationHead?) async throws -> HTTPMonitorPackage {
        let clock = ManualClock()
        let credentials = InMemoryCredentialStore()
        try await credentials.addUser(SIPUserCredential(user: "69", domain: "example.net", password: "secret69"), now: clock.now())
        let provisioning = InMemoryProvisioningStore()
        try await provisioning.addInstrument(
            InstrumentDefinition(
                id: SIPInstrumentID("0000DEADBEEF")!, vendor: "yealink", lines: [LineDefinition(user: "69", domain: "example.net")]),
            now: clock.now())
        return HTTPMonitorPackage(domains: ["example.net"], provisioning: provisioning, credentials: credentials) { _ in head }
    }

    @Test("Resources: ~~cf~MAC at our domains, any MAC spelling, sip or sips")
    func resources() async throws {
        let p = try await package(head: nil)
        #expect(p.resource(for: try SIPURI(parsing: "sips:~~cf~0000deadbeef@example.net")) == "0000DEADBEEF")
        #expect(p.resource(for: try SIPURI(parsing: "sip:~~cf~00-00-DE-AD-BE-EF@EXAMPLE.net")) == "0000DEADBEEF")
        #expect(p.resource(for: try SIPURI(parsing: "sips:~~cf~0000DEADBEEF@other.org")) == nil)
        #expect(p.resource(for: try SIPURI(parsing: "sips:69@example.net")) == nil)
        #expect(p.resource(for: try SIPURI(parsing: "sips:~~in~0000DEADBEEF@example.net")) == nil)
    }

    @Test("Who may watch: a line of that phone (user or user/MAC), nobody else")
    func watchers() async throws {
        let p = try await package(head: nil)
        #expect(await p.password(of: SIPAuthUsername("69/0000DEADBEEF"), watching: "0000DEADBEEF") == "secret69")
        #expect(await p.password(of: SIPAuthUsername("69"), watching: "0000DEADBEEF") == "secret69")
        #expect(await p.password(of: SIPAuthUsername("69/0004F2ABCDEF"), watching: "0000DEADBEEF") == nil)
        #expect(await p.password(of: SIPAuthUsername("70"), watching: "0000DEADBEEF") == nil)
        #expect(await p.password(of: SIPAuthUsername("69"), watching: "0000DEADBEE0") == nil)
    }

    @Test("The body is message/http: status line and the HEAD's headers; 404 when gone")
    func body() async throws {
        let head = ConfigurationHead(
            contentLocation: "https://example.net:8443/0000deadbeef.cfg", entityTag: "\"abc\"",
            lastModified: "Sun, 06 Dec 2026 18:00:00 GMT", cacheControl: "private, max-age=3600",
            contentType: "text/plain; charset=utf-8", contentLength: 964)
        let state = try await package(head: head).state(of: "0000DEADBEEF", wantsBody: true)
        #expect(state.exists)
        #expect(state.summary == "\"abc\"")
        #expect(
            String(decoding: state.body, as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nContent-Location: https://example.net:8443/0000deadbeef.cfg\r\nETag: \"abc\"\r\n"
                + "Last-Modified: Sun, 06 Dec 2026 18:00:00 GMT\r\nCache-Control: private, max-age=3600\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 964\r\n\r\n")
        let gone = try await package(head: nil).state(of: "0000DEADBEEF", wantsBody: false)
        #expect(!gone.exists)
        #expect(String(decoding: gone.body, as: UTF8.self).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    }
}
