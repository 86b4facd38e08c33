import Logging
import SIPAuth
import SIPCore
import SIPEvents
import SIPStorage
import SIPTestSupport
import SIPTransport
import Synchronization
import Testing

/// Records the NOTIFYs the notifier sends and answers them with `status` (nil: no answer).
final class RecordingSender: SIPRequestSending {
    private let sent = Mutex<[(SIPRequest, SIPDestination)]>([])
    private let answer = Mutex<Int?>(200)
    private let branches = Mutex(0)

    var requests: [SIPRequest] { sent.withLock { $0.map(\.0) } }
    var destinations: [SIPDestination] { sent.withLock { $0.map(\.1) } }
    func answer(with status: Int?) { answer.withLock { $0 = status } }

    func send(_ request: SIPRequest, to destination: SIPDestination) async -> SIPResponse? {
        sent.withLock { $0.append((request, destination)) }
        return answer.withLock { $0 }.map { SIPResponse(answering: request, statusCode: $0) }
    }

    func makeBranch() -> String { "z9hG4bK-n\(branches.withLock { $0 += 1; return $0 })" }
}

/// A package over a dictionary: resource → (state, password of the one allowed user).
final class TestPackage: EventPackage {
    let name = "http-monitor"
    let contentType = "message/http"
    let expiry = SubscriptionExpiryPolicy(minimum: 60, default: 3600, maximum: 7200)
    let states = Mutex<[String: String]>(["0000DEADBEEF": "\"v1\""])

    func resource(for uri: SIPURI) -> String? {
        guard let user = uri.user, user.hasPrefix("~~cf~") else { return nil }
        let resource = String(user.dropFirst(5))
        return states.withLock { $0[resource] } == nil ? nil : resource
    }

    func password(of username: SIPAuthUsername, watching resource: String) async -> String? {
        username.user == "69" && (username.instrument == nil || username.instrument?.value == resource) ? "secret69" : nil
    }

    func state(of resource: String, wantsBody: Bool) async -> EventResourceState {
        guard let tag = states.withLock({ $0[resource] }) else {
            return EventResourceState(body: Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8), summary: "404", exists: false)
        }
        return EventResourceState(body: Array("HTTP/1.1 200 OK\r\nETag: \(tag)\r\n\r\n".utf8), summary: tag)
    }
}

struct NotifierHarness {
    let notifier: Notifier
    let sender: RecordingSender
    let package: TestPackage
    let store: InMemorySubscriptionStore
    let clock: ManualClock
    let challenger: DigestChallenger

    static func make(
        store: InMemorySubscriptionStore = InMemorySubscriptionStore(), clock: ManualClock = ManualClock(),
        requiresTLS: Bool = true, package: TestPackage = TestPackage(), sender: RecordingSender = RecordingSender()
    ) throws -> NotifierHarness {
        var digest = DigestConfiguration()
        digest.realm = "example.net"
        let secret = DigestServerSecret(bytes: [UInt8](repeating: 7, count: DigestServerSecret.byteCount))!
        let challenger = try DigestChallenger(configuration: digest, secret: secret, clock: clock)
        let notifier = Notifier(
            configuration: Notifier.Configuration(realm: "example.net", requiresTLS: requiresTLS), packages: [package],
            store: store, sender: sender, scheduler: clock, clock: clock, challenger: challenger,
            verifier: try DigestVerifier(configuration: digest, secret: secret, clock: clock),
            limiter: try AuthFailureLimiter(clock: clock), logger: Logger(label: "test"))
        return NotifierHarness(
            notifier: notifier, sender: sender, package: package, store: store, clock: clock, challenger: challenger)
    }

    /// A SUBSCRIBE over TLS from 192.0.2.10 (connection 9).
    static func subscribe(
        uri: String = "sips:~~cf~0000DEADBEEF@example.net", event: String = "http-monitor", expires: UInt32? = 3600,
        toTag: String? = nil, cseq: UInt32 = 1, authorization: String? = nil, transport: SIPTransportProtocol = .tls,
        extra: [String] = []
    ) throws -> SubscribeRequest {
        let request = try SIPTestRequest(
            .subscribe, uri: uri, via: [SIPTestRequest.via("TLS", sentBy: "192.0.2.10:40000", branch: "z9hG4bK-s\(cseq)")],
            from: "<sip:69@example.net>;tag=watcher", to: "<\(uri)>" + (toTag.map { ";tag=\($0)" } ?? ""),
            callID: "sub-1", cseq: cseq, contacts: ["<sip:69@192.0.2.10:40000;transport=tls>"], expires: expires,
            headers: ["Event: \(event)"] + extra, authorization: authorization
        ).parsed()
        return try SubscribeRequest(
            request: request, essentials: SIPRequestEssentials(parsing: request),
            source: makeSource(host: "192.0.2.10", port: 40000, transport: transport, connectionID: 9))
    }

    /// The response to `subscribe`.
    func answer(_ subscribe: SubscribeRequest) async -> SIPResponse {
        let box = Mutex<SIPResponse?>(nil)
        await notifier.handle(subscribe) { response in box.withLock { $0 = response } }
        return box.withLock { $0 }!
    }

    /// Subscribes with digest (401, then credentials): the 200 and our tag.
    func subscribed(user: String = "69/0000DEADBEEF", expires: UInt32? = 3600) async throws -> (SIPResponse, String) {
        let challenge = await answer(try Self.subscribe(expires: expires))
        #expect(challenge.statusCode == 401)
        let header = try SIPAuthHeader(parsing: Substring(try #require(challenge.headers[.wwwAuthenticate])))
        let credentials = DigestClient.credentials(
            answering: header, username: user, password: "secret69", method: "SUBSCRIBE",
            digestURI: "sips:~~cf~0000DEADBEEF@example.net", nonceCount: 1, cnonce: "abc")
        let ok = await answer(try Self.subscribe(expires: expires, cseq: 2, authorization: credentials.description))
        return (ok, try #require(try ok.to.tag))
    }

    /// Waits (bounded) until `count` NOTIFYs were sent: they go out from tasks.
    func notifies(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [SIPRequest] {
        try await withDeadline("\(count) NOTIFYs") {
            while sender.requests.count < count { await Task.yield() }
        }
        return sender.requests
    }
}

extension SIPRequest {
    var subscriptionStateText: String? { headers[.subscriptionState].map(String.init) }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

@Suite("Notifier (RFC 6665) with a test package")
struct NotifierTests {
    @Test("Initial SUBSCRIBE: 401, then 200 with our tag, Expires and Contact; an immediate NOTIFY in the dialog")
    func initialSubscribe() async throws {
        let h = try NotifierHarness.make()
        let (ok, tag) = try await h.subscribed()
        #expect(ok.statusCode == 200)
        #expect(ok.headers[.expires] == "3600")
        #expect(ok.headers.all(.contentLength).count == 1)
        #expect(ok.headers[.contact]?.hasPrefix("<sips:~~cf~0000DEADBEEF@192.0.2.1:5061") == true)
        let notify = try await h.notifies(1)[0]
        #expect(notify.method == .notify)
        #expect(notify.uri.description == "sip:69@192.0.2.10:40000;transport=tls")
        #expect(notify.headers[.callID] == "sub-1")
        #expect(notify.headers[.from]?.contains("tag=\(tag)") == true)
        #expect(notify.headers[.to] == "<sip:69@example.net>;tag=watcher")
        #expect(notify.headers[.cseq] == "1 NOTIFY")
        #expect(notify.headers[.event] == "http-monitor")
        #expect(notify.subscriptionStateText == "active;expires=3600")
        #expect(notify.headers[.contentType] == "message/http")
        #expect(notify.bodyText.contains("ETag: \"v1\""))
        #expect(h.sender.destinations[0].connectionID?.rawValue == 9, "over the SUBSCRIBE's connection")
        #expect(h.store.count == 1)
    }

    @Test("Unknown package → 489 with Allow-Events; unknown resource → 404; not over TLS → 403")
    func refusals() async throws {
        let h = try NotifierHarness.make()
        let bad = await h.answer(try NotifierHarness.subscribe(event: "presence"))
        #expect(bad.statusCode == 489)
        #expect(bad.headers[.allowEvents] == "http-monitor")
        #expect(await h.answer(try NotifierHarness.subscribe(uri: "sips:~~cf~000000000001@example.net")).statusCode == 404)
        #expect(await h.answer(try NotifierHarness.subscribe(transport: .udp)).statusCode == 403)
        let open = try NotifierHarness.make(requiresTLS: false)
        #expect(await open.answer(try NotifierHarness.subscribe(uri: "sip:~~cf~0000DEADBEEF@example.net", transport: .udp)).statusCode == 401)
        #expect(
            await open.answer(try NotifierHarness.subscribe(transport: .udp)).statusCode == 403, "a sips: URI always needs TLS")
    }

    @Test("Credentials of a user not allowed on the resource → 401 again, nothing created")
    func wrongUser() async throws {
        let h = try NotifierHarness.make()
        let challenge = await h.answer(try NotifierHarness.subscribe())
        let header = try SIPAuthHeader(parsing: Substring(try #require(challenge.headers[.wwwAuthenticate])))
        let credentials = DigestClient.credentials(
            answering: header, username: "70/0000DEADBEEF", password: "secret69", method: "SUBSCRIBE",
            digestURI: "sips:~~cf~0000DEADBEEF@example.net", nonceCount: 1, cnonce: "abc")
        let refused = await h.answer(try NotifierHarness.subscribe(cseq: 2, authorization: credentials.description))
        #expect(refused.statusCode == 401)
        #expect(await h.notifier.count == 0)
    }

    @Test("Expires below the minimum → 423 with Min-Expires; above the maximum → shortened")
    func expiresBounds() async throws {
        let h = try NotifierHarness.make()
        let challenge = await h.answer(try NotifierHarness.subscribe(expires: 10))
        #expect(challenge.statusCode == 401, "authentication comes first")
        let (ok, _) = try await h.subscribed(expires: 999_999)
        #expect(ok.headers[.expires] == "7200")
        let brief = try NotifierHarness.make()
        let header = try SIPAuthHeader(
            parsing: Substring(try #require(await brief.answer(try NotifierHarness.subscribe()).headers[.wwwAuthenticate])))
        let credentials = DigestClient.credentials(
            answering: header, username: "69", password: "secret69", method: "SUBSCRIBE",
            digestURI: "sips:~~cf~0000DEADBEEF@example.net", nonceCount: 1, cnonce: "abc")
        let tooBrief = await brief.answer(try NotifierHarness.subscribe(expires: 10, cseq: 2, authorization: credentials.description))
        #expect(tooBrief.statusCode == 423)
        #expect(tooBrief.headers[.minExpires] == "60")
    }

    @Test("Accept without message/http → 406")
    func notAcceptable() async throws {
        let h = try NotifierHarness.make()
        let header = try SIPAuthHeader(
            parsing: Substring(try #require(await h.answer(try NotifierHarness.subscribe()).headers[.wwwAuthenticate])))
        let credentials = DigestClient.credentials(
            answering: header, username: "69", password: "secret69", method: "SUBSCRIBE",
            digestURI: "sips:~~cf~0000DEADBEEF@example.net", nonceCount: 1, cnonce: "abc")
        let answer = await h.answer(
            try NotifierHarness.subscribe(cseq: 2, authorization: credentials.description, extra: ["Accept: application/xml"]))
        #expect(answer.statusCode == 406)
    }

    @Test("Refresh in the dialog: 200 and a NOTIFY with the new expiry; unknown dialog → 481; old CSeq → 500")
    func refreshAndErrors() async throws {
        let h = try NotifierHarness.make()
        let (_, tag) = try await h.subscribed()
        _ = try await h.notifies(1)
        let refreshed = await h.answer(try NotifierHarness.subscribe(expires: 600, toTag: tag, cseq: 3))
        #expect(refreshed.statusCode == 200)
        #expect(refreshed.headers[.expires] == "600")
        let notify = try await h.notifies(2)[1]
        #expect(notify.subscriptionStateText == "active;expires=600")
        #expect(notify.headers[.cseq] == "2 NOTIFY")
        #expect(await h.answer(try NotifierHarness.subscribe(toTag: "nope", cseq: 4)).statusCode == 481)
        #expect(await h.answer(try NotifierHarness.subscribe(toTag: tag, cseq: 3)).statusCode == 500)
    }

    @Test("Unsubscribe: 200 Expires 0, final NOTIFY terminated, removed from the store")
    func unsubscribe() async throws {
        let h = try NotifierHarness.make()
        let (_, tag) = try await h.subscribed()
        _ = try await h.notifies(1)
        let answer = await h.answer(try NotifierHarness.subscribe(expires: 0, toTag: tag, cseq: 3))
        #expect(answer.headers[.expires] == "0")
        #expect(try await h.notifies(2)[1].subscriptionStateText == "terminated")
        #expect(await h.notifier.count == 0)
        #expect(h.store.count == 0)
    }

    @Test("A change is notified with the new state; two changes within a second make one NOTIFY after it")
    func changes() async throws {
        let h = try NotifierHarness.make()
        _ = try await h.subscribed()
        _ = try await h.notifies(1)
        h.clock.advance(by: .seconds(2))
        h.package.states.withLock { $0["0000DEADBEEF"] = "\"v2\"" }
        await h.notifier.resourceChanged(package: "http-monitor", resource: "0000DEADBEEF")
        #expect(try await h.notifies(2)[1].bodyText.contains("\"v2\""))
        h.clock.advance(by: .milliseconds(200))
        h.package.states.withLock { $0["0000DEADBEEF"] = "\"v3\"" }
        await h.notifier.resourceChanged(package: "http-monitor", resource: "0000DEADBEEF")
        h.package.states.withLock { $0["0000DEADBEEF"] = "\"v4\"" }
        await h.notifier.resourceChanged(package: "http-monitor", resource: "0000DEADBEEF")
        #expect(h.sender.requests.count == 2, "rate-limited")
        h.clock.advance(by: .milliseconds(800))
        let third = try await h.notifies(3)[2]
        #expect(third.bodyText.contains("\"v4\""), "coalesced into the latest state")
        #expect(third.headers[.cseq] == "3 NOTIFY")
    }

    @Test("Resource removed → NOTIFY 404 body, terminated;reason=noresource")
    func removed() async throws {
        let h = try NotifierHarness.make()
        _ = try await h.subscribed()
        _ = try await h.notifies(1)
        h.package.states.withLock { $0["0000DEADBEEF"] = nil }
        await h.notifier.resourceRemoved(package: "http-monitor", resource: "0000DEADBEEF")
        let last = try await h.notifies(2)[1]
        #expect(last.subscriptionStateText == "terminated;reason=noresource")
        #expect(last.bodyText.hasPrefix("HTTP/1.1 404"))
        #expect(await h.notifier.count == 0)
    }

    @Test("Expiry without refresh: terminated;reason=timeout")
    func expiry() async throws {
        let h = try NotifierHarness.make()
        _ = try await h.subscribed(expires: 120)
        _ = try await h.notifies(1)
        h.clock.advance(by: .seconds(120))
        #expect(try await h.notifies(2)[1].subscriptionStateText == "terminated;reason=timeout")
        try await withDeadline("removed") { while await h.notifier.count > 0 { await Task.yield() } }
    }

    @Test("A NOTIFY answered 481 ends the subscription")
    func notify481() async throws {
        let h = try NotifierHarness.make()
        h.sender.answer(with: 481)
        _ = try await h.subscribed()
        _ = try await h.notifies(1)
        try await withDeadline("removed") { while await h.notifier.count > 0 { await Task.yield() } }
        #expect(h.store.count == 0)
    }

    @Test("Restart: a new notifier restores the subscription, notifies a change made meanwhile, CSeq goes on")
    func restart() async throws {
        let store = InMemorySubscriptionStore()
        let clock = ManualClock()
        let package = TestPackage()
        let first = try NotifierHarness.make(store: store, clock: clock, package: package)
        _ = try await first.subscribed()
        _ = try await first.notifies(1)
        package.states.withLock { $0["0000DEADBEEF"] = "\"v2\"" }
        let second = try NotifierHarness.make(store: store, clock: clock, package: package)
        #expect(try await second.notifier.restore() == 1)
        let notify = try await second.notifies(1)[0]
        #expect(notify.headers[.cseq] == "2 NOTIFY")
        #expect(notify.bodyText.contains("\"v2\""))
        #expect(second.sender.destinations[0].connectionID == nil, "the old connection is gone")
        // Nothing changed since: a third start sends nothing.
        let third = try NotifierHarness.make(store: store, clock: clock, package: package)
        try await withDeadline("second NOTIFY stored") { while await (try? store.activeSubscriptions(at: clock.now()))?.first?.localCSeq != 2 { await Task.yield() } }
        #expect(try await third.notifier.restore() == 1)
        #expect(third.sender.requests.isEmpty)
    }

    @Test("SUBSCRIBE without Event → 400 naming it (RFC 6665 §8.2.1: Event is mandatory)")
    func missingEvent() throws {
        let request = try SIPTestRequest(
            .subscribe, uri: "sips:~~cf~0000DEADBEEF@example.net",
            via: [SIPTestRequest.via("TLS", sentBy: "192.0.2.10:40000", branch: "z9hG4bK-noevent")],
            from: "<sip:69@example.net>;tag=w", to: "<sips:~~cf~0000DEADBEEF@example.net>", callID: "noevent",
            contacts: ["<sip:69@192.0.2.10:40000;transport=tls>"]
        ).parsed()
        do {
            _ = try SubscribeRequest(
                request: request, essentials: SIPRequestEssentials(parsing: request),
                source: makeSource(host: "192.0.2.10", port: 40000, transport: .tls, connectionID: 9))
            Issue.record("accepted a SUBSCRIBE without Event")
        } catch let error as SIPResponseError {
            #expect(error.statusCode == 400)
            #expect(error.reasonPhrase.contains("Event"))
        }
    }

    @Test("Accept is read as media types: parameters and case do not matter; a list without ours → 406")
    func acceptMediaTypes() throws {
        let ok = try NotifierHarness.subscribe(extra: ["Accept: Message/HTTP;q=0.5, text/plain"])
        #expect(ok.accepts("message/http"))
        let wildcard = try NotifierHarness.subscribe(extra: ["Accept: message/*"])
        #expect(wildcard.accepts("message/http"))
        let other = try NotifierHarness.subscribe(extra: ["Accept: application/xml"])
        #expect(!other.accepts("message/http"))
    }

    @Test("A fetch (initial SUBSCRIBE with Expires: 0, RFC 6665 §4.2.1.4): 200, one NOTIFY terminated, nothing kept")
    func fetch() async throws {
        let h = try NotifierHarness.make()
        let header = try SIPAuthHeader(
            parsing: Substring(try #require(await h.answer(try NotifierHarness.subscribe(expires: 0)).headers[.wwwAuthenticate])))
        let credentials = DigestClient.credentials(
            answering: header, username: "69", password: "secret69", method: "SUBSCRIBE",
            digestURI: "sips:~~cf~0000DEADBEEF@example.net", nonceCount: 1, cnonce: "abc")
        let ok = await h.answer(try NotifierHarness.subscribe(expires: 0, cseq: 2, authorization: credentials.description))
        #expect(ok.statusCode == 200)
        #expect(ok.headers[.expires] == "0")
        let notify = try await h.notifies(1)[0]
        #expect(notify.subscriptionStateText == "terminated")
        #expect(notify.bodyText.contains("ETag: \"v1\""))
        #expect(await h.notifier.count == 0)
        #expect(h.store.count == 0)
    }
}
