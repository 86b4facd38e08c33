import AdminAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SIPCore
import SIPStorage
import Synchronization

/// A wall clock the test moves by hand.
final class ManualClock: Sendable {
    private let millis: Mutex<Int64>

    init(_ start: SIPTimestamp) { millis = Mutex(start.millisecondsSince1970) }

    var now: SIPTimestamp { SIPTimestamp(millisecondsSince1970: millis.withLock { $0 }) }

    func advance(seconds: Int64) { millis.withLock { $0 += seconds * 1000 } }
}

/// Collects every log record (message and metadata, rendered) so tests can look for secrets.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "admin-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { $1 }
            let line = "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            capture.lines.withLock { $0.append(line) }
        }
    }
}

/// In-memory stores, a manual clock and the admin routes over them.
struct AdminFixture {
    static let start = SIPTimestamp(secondsSince1970: 1_700_000_000)

    let credentials = InMemoryCredentialStore()
    let locations = InMemoryLocationStore()
    let clock = ManualClock(AdminFixture.start)
    let logs = LogCapture()
    var domains = ["example.net", "other.example"]
    var limits = AdminAPILimits()

    var routes: AdminRoutes {
        let clock = self.clock
        return AdminRoutes(
            credentials: credentials, locations: locations, domains: domains, limits: limits, now: { clock.now },
            logger: logs.logger)
    }

    /// Runs `body` against the router (no sockets).
    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = Application(router: routes.makeRouter(), logger: logs.logger)
        return try await app.test(.router, body)
    }

    /// A binding registered at the fixture's start time, expiring `expiresIn` seconds later.
    func binding(
        user: String, domain: String = "example.net", contact: String, instrument: String? = nil, expiresIn: Int64 = 3600,
        instance: String? = nil, regID: Int? = nil, userAgent: String? = "TestPhone/1.0", transport: String = "udp"
    ) -> Binding {
        Binding(
            aor: Binding.canonicalAOR(user: user, domain: domain), contact: contact,
            expiresAt: Self.start.adding(seconds: expiresIn), q: 500, callID: "call-\(user)-\(contact)", cseq: 7,
            instrument: instrument.flatMap { SIPInstrumentID($0) }, instance: instance, regID: regID,
            path: ["<sip:edge.example.net;lr>"], source: "192.0.2.10:5060", transport: transport,
            connectionID: transport == "udp" ? nil : 42, localListener: "0.0.0.0:5060", userAgent: userAgent,
            registeredAt: Self.start, updatedAt: Self.start)
    }

    func store(_ bindings: [Binding]) async throws {
        _ = try await locations.apply(bindings.map { .upsert($0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    /// The `error` member of an error body.
    var errorMessage: String? { (try? decode(AdminErrorBody.self))?.error }
}

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
