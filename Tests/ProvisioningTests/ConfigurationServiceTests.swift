import Foundation
import Provisioning
import SIPCore
import SIPStorage
import SIPAuth
import SIPTestSupport
import Testing

/// The rules of ``ConfigurationService`` without HTTP: which file, who may have it, what
/// metadata, and what an unauthorised or unknown request learns (nothing).
@Suite("Configuration service: requests and answers")
struct ConfigurationServiceTests {
    @Test("A Yealink phone gets {mac}.cfg with its two lines, auth names user/MAC")
    func yealinkConfiguration() async throws {
        let h = try await ServiceHarness.make()
        let answer = try await h.get("/0000deadbeef.cfg")
        #expect(answer.status == 200)
        #expect(answer.text.contains("account.1.auth_name = 69/0000DEADBEEF"))
        #expect(answer.text.contains("account.2.auth_name = 70/0000DEADBEEF"))
        #expect(answer.text.contains("account.1.password = secret69"))
        #expect(answer.header("Cache-Control") == "private, max-age=600")
        #expect(answer.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(answer.header("ETag") == EntityTag(of: answer.body).description)
        #expect(answer.header("Last-Modified") == h.clock.now().adding(.seconds(-1)).httpDate, "a second back: never after Date")
        #expect(answer.header("Link") == nil, "no monitor link unless monitoring is on")
        #expect(h.logs.events.last?.metadata["event"] == "provisioning.ok")
        #expect(!h.logs.text.contains("secret69"), "passwords are never logged")
    }

    @Test("Unauthenticated: 401 with a digest challenge, the same for a known and an unknown MAC")
    func noEnumeration() async throws {
        let h = try await ServiceHarness.make()
        let known = await h.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg"))
        let unknown = await h.service.respond(to: ServiceHarness.request("/0000deadbee0.cfg"))
        #expect(known.status == 401 && unknown.status == 401)
        #expect(known.body == unknown.body)
        #expect(known.headers.map(\.name) == unknown.headers.map(\.name))
        #expect(known.header("WWW-Authenticate")?.hasPrefix("Digest realm=\"example.net\"") == true)
        // A valid line's credentials on an unknown MAC: still 401, not 404.
        let guessed = try await h.get("/0000deadbee0.cfg", user: "69/0000DEADBEE0")
        #expect(guessed.status == 401)
        #expect(guessed.body == known.body)
    }

    @Test("Credentials of another phone, a wrong password or a user without a line → 401")
    func refusedCredentials() async throws {
        let h = try await ServiceHarness.make()
        #expect(try await h.get("/0000deadbeef.cfg", user: "69/0004F2ABCDEF").status == 401)
        #expect(try await h.get("/0000deadbeef.cfg", password: "wrong").status == 401)
        #expect(try await h.get("/0000deadbeef.cfg", user: "71").status == 401)
        #expect(h.logs.events.last?.metadata["event"] == "provisioning.auth_failed")
        // The bare user (without /MAC) of a line works too.
        #expect(try await h.get("/0000deadbeef.cfg", user: "70").status == 200)
    }

    @Test("Repeated failures from one source lock it out (429 + Retry-After), other sources unaffected")
    func lockout() async throws {
        var lockout = AuthFailureLimiterConfiguration()
        lockout.maxFailures = 3
        let h = try await ServiceHarness.make(lockout: lockout)
        for _ in 0..<3 { _ = try await h.get("/0000deadbeef.cfg", password: "wrong", source: "198.51.100.7") }
        let locked = try await h.get("/0000deadbeef.cfg", source: "198.51.100.7")
        #expect(locked.status == 429)
        #expect(locked.header("Retry-After") != nil)
        #expect(try await h.get("/0000deadbeef.cfg", source: "198.51.100.8").status == 200)
    }

    @Test("Per-source rate limit: 429 once the burst is spent, whatever is asked; refills with time")
    func rateLimit() async throws {
        let h = try await ServiceHarness.make(rateLimit: SourceRateLimiter.Configuration(requestsPerMinute: 60, burst: 3))
        for _ in 0..<3 {
            #expect(await h.service.respond(to: ServiceHarness.request("/0000deadbee0.cfg", source: "203.0.113.5")).status == 401)
        }
        let limited = await h.service.respond(to: ServiceHarness.request("/y000000000000.cfg", source: "203.0.113.5"))
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "1")
        #expect(await h.service.respond(to: ServiceHarness.request("/y000000000000.cfg", source: "203.0.113.6")).status == 200)
        h.clock.advance(by: .seconds(1))
        #expect(await h.service.respond(to: ServiceHarness.request("/y000000000000.cfg", source: "203.0.113.5")).status == 200)
    }

    @Test("Conditional GET: If-None-Match or If-Modified-Since of the current copy → 304 with the same metadata")
    func conditional() async throws {
        let h = try await ServiceHarness.make(monitorDomain: "example.net")
        let first = try await h.get("/0000deadbeef.cfg")
        let tag = try #require(first.header("ETag"))
        let modified = try #require(first.header("Last-Modified"))
        h.clock.advance(by: .seconds(30))
        let byTag = try await h.get("/0000deadbeef.cfg", conditions: ConditionalRequest(ifNoneMatch: "\"x\", \(tag)"))
        #expect(byTag.status == 304)
        #expect(byTag.body.isEmpty)
        for name in ["ETag", "Last-Modified", "Cache-Control", "Link"] { #expect(byTag.header(name) == first.header(name)) }
        let byDate = try await h.get("/0000deadbeef.cfg", conditions: ConditionalRequest(ifModifiedSince: modified))
        #expect(byDate.status == 304)
        let stale = try await h.get("/0000deadbeef.cfg", conditions: ConditionalRequest(ifNoneMatch: "\"other\""))
        #expect(stale.status == 200)
        #expect(h.logs.events.contains { $0.metadata["event"] == "provisioning.not_modified" })
    }

    @Test("A change of the lines changes the ETag and Last-Modified; the old tag no longer gets 304")
    func changeChangesTag() async throws {
        let h = try await ServiceHarness.make()
        let before = try await h.get("/0000deadbeef.cfg")
        let oldTag = try #require(before.header("ETag"))
        #expect(try await h.get("/0000deadbeef.cfg").header("ETag") == oldTag, "stable while nothing changes")
        h.clock.advance(by: .seconds(5))
        _ = try await h.provisioning.addLine(LineDefinition(user: "71", domain: "example.net"), to: deadBeef, now: h.clock.now())
        let after = try await h.get("/0000deadbeef.cfg", conditions: ConditionalRequest(ifNoneMatch: oldTag))
        #expect(after.status == 200)
        #expect(after.header("ETag") != oldTag)
        #expect(after.header("Last-Modified") == h.clock.now().adding(.seconds(-1)).httpDate)
        #expect(after.text.contains("account.3.auth_name = 71/0000DEADBEEF"))
        // A password change changes the bytes, so the tag too.
        try await h.credentials.setPassword(user: "69", domain: "example.net", password: "new69")
        let rekeyed = try await h.get("/0000deadbeef.cfg", password: "new69")
        #expect(rekeyed.header("ETag") != after.header("ETag"))
    }

    @Test("Monitoring on: Link <sips:~~cf~MAC@domain>;rel=\"monitor\"")
    func monitorLink() async throws {
        let h = try await ServiceHarness.make(monitorDomain: "example.net")
        let answer = try await h.get("/0000deadbeef.cfg")
        #expect(answer.header("Link") == "<sips:~~cf~0000DEADBEEF@example.net>;rel=\"monitor\"")
    }

    @Test("RFC 6011 form: sfua-id names the phone, sfua-user must be the username, unknown parameters ignored")
    func sfuaForm() async throws {
        let h = try await ServiceHarness.make()
        let target = "/cfg?sfua-id=urn:uuid:f81d4fae-7dec-11d0-a765-0000deadbeef&sfua-user=69&sfua-vendor=yealink.com&sfua-model=T54W&x-other=1"
        let answer = try await h.get(target, user: "69")
        #expect(answer.status == 200)
        #expect(answer.text.contains("account.1.auth_name = 69/0000DEADBEEF"))
        #expect(answer.body == (try await h.get("/0000deadbeef.cfg")).body, "the same configuration as the vendor URL")
        #expect(try await h.get(target, user: "70").status == 401, "sfua-user=69 requires username 69")
        // A UUID that is not version 1 carries no MAC.
        let v4 = await h.service.respond(to: ServiceHarness.request("/cfg?sfua-id=urn:uuid:f81d4fae-7dec-41d0-a765-0000deadbeef"))
        #expect(v4.status == 404)
    }

    @Test("HEAD: the same status and metadata, no body")
    func head() async throws {
        let h = try await ServiceHarness.make()
        let get = try await h.get("/0000deadbeef.cfg")
        let head = try await h.get("/0000deadbeef.cfg", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("ETag") == get.header("ETag"))
    }

    @Test("A vendor's common file is served without credentials and holds no account")
    func commonFile() async throws {
        let h = try await ServiceHarness.make()
        for path in ["/y000000000000.cfg", "/y000000000028.cfg", "/000000000000.cfg", "/cfg.xml", "/snomD785.htm"] {
            let answer = await h.service.respond(to: ServiceHarness.request(path))
            #expect(answer.status == 200, "\(path)")
            #expect(!answer.text.contains("secret69") && !answer.text.lowercased().contains("deadbeef"), "\(path)")
            #expect(answer.header("ETag") != nil)
        }
    }

    @Test("A name the phone's vendor does not request, or no vendor uses → 404")
    func wrongVendorFile() async throws {
        let h = try await ServiceHarness.make()
        #expect(try await h.get("/cfg0000deadbeef.xml").status == 404, "a Grandstream name for a Yealink")
        #expect(await h.service.respond(to: ServiceHarness.request("/favicon.ico")).status == 404)
        #expect(await h.service.respond(to: ServiceHarness.request("/../../etc/passwd")).status == 404)
    }

    @Test("Device port: the certificate's MAC gets its file without a password; another MAC or none → 404")
    func devicePort() async throws {
        let h = try await ServiceHarness.make()
        let own = await h.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg", port: .device(deadBeef)))
        #expect(own.status == 200)
        #expect(own.text.contains("account.1.auth_name = 69/0000DEADBEEF"))
        let other = await h.service.respond(
            to: ServiceHarness.request("/0000deadbeef.cfg", port: .device(SIPInstrumentID("0004F2ABCDEF")!)))
        #expect(other.status == 404)
        let unknown = await h.service.respond(to: ServiceHarness.request("/0000deadbee0.cfg", port: .device(SIPInstrumentID("0000DEADBEE0")!)))
        #expect(unknown.status == 404)
        #expect(unknown.body == other.body)
        #expect(await h.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg", port: .device(nil))).status == 404)
    }

    @Test("Basic over TLS when allowed, refused when not")
    func basic() async throws {
        let basic = "Basic " + Data("69/0000DEADBEEF:secret69".utf8).base64EncodedString()
        let off = try await ServiceHarness.make()
        #expect(await off.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg", authorization: basic)).status == 401)
        let on = try await ServiceHarness.make(allowsBasic: true)
        let challenge = await on.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg"))
        #expect(challenge.headers("WWW-Authenticate").last?.hasPrefix("Basic realm=\"example.net\"") == true)
        #expect(await on.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg", authorization: basic)).status == 200)
        let wrong = "Basic " + Data("69/0000DEADBEEF:nope".utf8).base64EncodedString()
        #expect(await on.service.respond(to: ServiceHarness.request("/0000deadbeef.cfg", authorization: wrong)).status == 401)
    }

    @Test("head(of:) (the http-monitor NOTIFY body) has the ETag and Last-Modified a GET returns")
    func headMatchesGet() async throws {
        let h = try await ServiceHarness.make()
        let get = try await h.get("/0000deadbeef.cfg")
        h.clock.advance(by: .seconds(10))
        let head = try #require(await h.service.head(of: deadBeef))
        #expect(head.entityTag == get.header("ETag"))
        #expect(head.lastModified == get.header("Last-Modified"))
        #expect(head.contentLength == get.body.count)
        #expect(head.contentLocation == "https://sip.example.net:8443/0000deadbeef.cfg")
        #expect(head.cacheControl == get.header("Cache-Control"))
        #expect(await h.service.head(of: SIPInstrumentID("0000DEADBEE0")!) == nil)
    }
}
