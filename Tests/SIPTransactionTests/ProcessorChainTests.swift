import Logging
import SIPCore
import SIPTestSupport
import SIPTransaction
import SIPTransport
import Synchronization
import Testing

/// A processor that records that it ran and does what it is told.
struct ScriptedProcessor: SIPRequestProcessor {
    enum Script: Sendable { case pass, answer(Int), fail(SIPResponseError), takeOver, learn }
    let name: String
    let script: Script
    let trail: Trail
    var capabilities: SIPProcessorCapabilities = SIPProcessorCapabilities()

    struct Learned: SIPRequestContextKey { typealias Value = String }

    func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        trail.append(name + (context[Learned.self].map { "(\($0))" } ?? ""))
        switch script {
        case .pass: return .continue
        case .answer(let status):
            return .respond(SIPResponse(answering: context.request, statusCode: status, toTag: SIPTag.random()))
        case .fail(let error): throw error
        case .takeOver:
            trail.keep(context)
            return .takeOver
        case .learn:
            context[Learned.self] = "learned by \(name)"
            return .continue
        }
    }
}

final class Trail: Sendable {
    private let names = Mutex<[String]>([])
    private let kept = Mutex<SIPRequestContext?>(nil)
    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
    func keep(_ context: SIPRequestContext) { kept.withLock { $0 = context } }
    var context: SIPRequestContext? { kept.withLock { $0 } }
}

@Suite("Processor chain (repro-style request processors)")
struct ProcessorChainTests {
    let sender = FakeSender()
    let log = LogCapture()
    let trail = Trail()

    func run(_ processors: [any SIPRequestProcessor], _ request: SIPRequest = Fixtures.request(.options)) throws {
        let chain = SIPProcessorChain(processors, logger: log.logger)
        let layer = try SIPTransactionLayer(sender: sender, scheduler: ManualClock(), user: chain)
        layer.receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source()))
    }

    @Test("Processors run in order until one answers; later ones never see the request; the answer is logged once")
    func firstAnswerWins() throws {
        try run([
            ScriptedProcessor(name: "a", script: .pass, trail: trail),
            ScriptedProcessor(name: "b", script: .answer(202), trail: trail),
            ScriptedProcessor(name: "c", script: .answer(500), trail: trail),
        ])
        #expect(trail.all == ["a", "b"])
        #expect(sender.sentStatuses == [202])
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["options.ok"])
    }

    @Test("What one processor learns, a later one reads from the context")
    func contextCarriesFacts() throws {
        try run([
            ScriptedProcessor(name: "a", script: .learn, trail: trail),
            ScriptedProcessor(name: "b", script: .answer(200), trail: trail),
        ])
        #expect(trail.all == ["a", "b(learned by a)"])
    }

    @Test("A thrown SIPResponseError is rendered with its status, reason, headers and outcome")
    func thrownErrorIsRendered() throws {
        let error = SIPResponseError(
            423, "Interval Too Brief", headers: [SIPHeaderField(.minExpires, "60")], outcome: "test.too_brief")
        try run([ScriptedProcessor(name: "a", script: .fail(error), trail: trail)])
        guard case .response(let response, _) = try #require(sender.sent.first) else { Issue.record("no response"); return }
        #expect(response.statusCode == 423 && response.reasonPhrase == "Interval Too Brief")
        #expect(response.headers[.minExpires] == "60")
        #expect(try response.to.tag != nil)
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["test.too_brief"])
    }

    @Test("takeOver: nothing is sent until the processor answers through its context")
    func takeOverAnswersLater() throws {
        try run([
            ScriptedProcessor(name: "a", script: .takeOver, trail: trail),
            ScriptedProcessor(name: "b", script: .answer(500), trail: trail),
        ])
        #expect(trail.all == ["a"])
        #expect(sender.sent.isEmpty)
        let context = try #require(trail.context)
        context.respond(SIPResponse(answering: context.request, statusCode: 200, toTag: "x"))
        #expect(sender.sentStatuses == [200])
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["options.ok"])
    }

    @Test("A request nothing answers gets 500, logged")
    func unansweredGets500() throws {
        try run([ScriptedProcessor(name: "a", script: .pass, trail: trail)])
        #expect(sender.sentStatuses == [500])
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["request.unhandled"])
    }

    @Test("Capabilities are the union of the processors', in order, without duplicates")
    func capabilitiesMerge() {
        var a = ScriptedProcessor(name: "a", script: .pass, trail: trail)
        a.capabilities = SIPProcessorCapabilities(methods: [.register], supported: ["path"], accept: [])
        var b = ScriptedProcessor(name: "b", script: .pass, trail: trail)
        b.capabilities = SIPProcessorCapabilities(
            methods: [.subscribe, .register], supported: ["PATH", "outbound"], accept: ["message/http"], events: ["http-monitor"])
        let chain = SIPProcessorChain([a, b], logger: log.logger)
        #expect(chain.capabilities.methods == [.register, .subscribe])
        #expect(chain.capabilities.supported == ["path", "outbound"])
        #expect(chain.capabilities.accept == ["message/http"])
        #expect(chain.capabilities.events == ["http-monitor"])
    }
}

@Suite("Core processors: Max-Forwards, OPTIONS, CANCEL, 501, overload")
struct CoreProcessorTests {
    let sender = FakeSender()
    let log = LogCapture()
    static let identity = SIPLocalIdentity(domains: ["example.com"], listenerHosts: ["0.0.0.0", "[::1]"])

    struct Registering: SIPRequestProcessor {
        var capabilities: SIPProcessorCapabilities {
            SIPProcessorCapabilities(methods: [.register], supported: ["path", "outbound"])
        }
        func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
            guard context.request.method == .register else { return .continue }
            return .respond(SIPResponse(answering: context.request, statusCode: 200, toTag: "r"))
        }
    }

    func layer(overloaded: Bool = false) throws -> SIPTransactionLayer {
        let options = OptionsProcessor(identity: Self.identity, serverHeader: "Test/1")
        let chain = SIPProcessorChain(
            [
                MaxForwardsProcessor(identity: Self.identity, options: options), options, CancelProcessor(),
                Registering(), NotImplementedProcessor(),
            ], logger: log.logger)
        return try SIPTransactionLayer(
            sender: sender, scheduler: ManualClock(), user: chain,
            admissionGate: SIPOverloadGate(isOverloaded: { overloaded }))
    }

    func send(_ request: SIPRequest, overloaded: Bool = false) throws -> SIPResponse {
        try layer(overloaded: overloaded).receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source()))
        guard case .response(let response, _) = try #require(sender.sent.last) else { throw SendFailure() }
        return response
    }

    @Test("OPTIONS to us: 200 whose Allow, Supported and Accept come from the chain")
    func optionsDerivesCapabilities() throws {
        let response = try send(Fixtures.request(.options, uri: "sip:example.com"))
        #expect(response.statusCode == 200)
        #expect(Set(try response.headers.values(.allow).map(String.init)) == ["OPTIONS", "CANCEL", "ACK", "REGISTER"])
        #expect(try response.supported == ["path", "outbound"])
        #expect(response.headers[.accept] == "")
        #expect(response.headers[.server] == "Test/1")
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["options.ok"])
    }

    @Test("OPTIONS with an unknown Require → 420 with Unsupported (RFC 3261 §8.2.2.3)")
    func optionsRequireUnknown() throws {
        let response = try send(
            Fixtures.request(.options, uri: "sip:example.com", extraHeaders: ["Require: path, foo-bar"]))
        #expect(response.statusCode == 420)
        #expect(response.headers[.unsupported] == "foo-bar")
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["options.bad_extension"])
    }

    @Test("OPTIONS to an IP literal is ours with a wildcard listener; to a foreign domain → 501")
    func optionsAddressing() throws {
        #expect(try send(Fixtures.request(.options, uri: "sip:203.0.113.9")).statusCode == 200)
        #expect(try send(Fixtures.request(.options, uri: "sip:[::1]:5060")).statusCode == 200)
        #expect(try send(Fixtures.request(.options, uri: "sip:bob@elsewhere.example")).statusCode == 501)
    }

    @Test("Max-Forwards 0: OPTIONS anywhere → 200, REGISTER for our domain passes, others → 483")
    func maxForwardsZero() throws {
        func zero(_ method: SIPMethod, _ uri: String) -> SIPRequest {
            let request = Fixtures.request(method, uri: uri)
            var headers = request.headers
            headers.set(.maxForwards, "0")
            return SIPRequest(method: method, uri: request.uri, headers: headers)
        }
        #expect(try send(zero(.options, "sip:bob@elsewhere.example")).statusCode == 200)
        #expect(try send(zero(.register, "sip:example.com")).statusCode == 200)
        #expect(try send(zero(.invite, "sip:bob@example.com")).statusCode == 483)
        #expect(log.events.last?.metadata["event"] == "invite.too_many_hops")
    }

    @Test("Unclaimed methods → 501 with Allow, one log event each")
    func notImplemented() throws {
        let response = try send(Fixtures.request(.init("PUBLISH"), uri: "sip:bob@example.com"))
        #expect(response.statusCode == 501)
        #expect(response.headers[.allow].map { Set($0.split(separator: ",").map { $0.trimmingSpaces }) }
            == ["OPTIONS", "CANCEL", "ACK", "REGISTER"])
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["publish.not_implemented"])
        #expect(log.events.map { $0.metadata["sip.status"] } == ["501"])
    }

    @Test("CANCEL without a matching INVITE → 481")
    func cancelWithoutInvite() throws {
        #expect(try send(Fixtures.request(.cancel)).statusCode == 481)
        #expect(log.events.map { $0.metadata["event"] ?? "" } == ["cancel.no_transaction"])
    }

    @Test("Overloaded: a REGISTER without credentials → 503 Retry-After, with no transaction and no log; with credentials, OPTIONS → pass")
    func overloadShedsNewWorkOnly() throws {
        let overloadedLayer = try layer(overloaded: true)
        overloadedLayer.receive(
            SIPIncomingMessage(message: .request(Fixtures.request(.register, uri: "sip:example.com")), source: Fixtures.source()))
        guard case .response(let fresh, _) = try #require(sender.sent.last) else { throw SendFailure() }
        #expect(fresh.statusCode == 503)
        #expect(fresh.headers[.retryAfter] == "5")
        #expect(try fresh.to.tag != nil)
        #expect(overloadedLayer.transactionCount.server == 0, "refused before a transaction exists")
        #expect(log.events.isEmpty, "a shed request is counted, not logged")
        let authenticated = try send(
            Fixtures.request(
                .register, uri: "sip:example.com", branch: "z9hG4bK-auth",
                extraHeaders: ["Authorization: Digest username=\"69\", realm=\"example.com\", nonce=\"n\", uri=\"sip:example.com\", response=\"0\""]),
            overloaded: true)
        #expect(authenticated.statusCode == 200)
        #expect(try send(Fixtures.request(.options, uri: "sip:example.com", branch: "z9hG4bK-o"), overloaded: true).statusCode == 200)
        #expect(try send(Fixtures.request(.register, uri: "sip:example.com", branch: "z9hG4bK-n")).statusCode == 200)
    }
}

extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

@Suite("SIPAdmissionControl: AIMD admission of new work under overload")
struct AdmissionControlTests {
    @Test("Overloaded: the admitted fraction shrinks each interval, and admissions follow it evenly")
    func decreasesUnderOverload() {
        let control = SIPAdmissionControl(interval: .milliseconds(100), decrease: 0.5, increase: 0.1, minimumFraction: 0.05)
        let start = ContinuousClock.now
        #expect(control.admittedFraction == 1)
        // First tick overloaded: 0.5.
        _ = control.admit(overloaded: true, now: start)
        #expect(control.admittedFraction == 0.5)
        // 1,000 requests within the same interval: about half admitted, spread evenly.
        var admitted = 0
        for _ in 0..<1_000 where control.admit(overloaded: true, now: start + .milliseconds(10)) { admitted += 1 }
        #expect((495...505).contains(admitted))
        // Five more overloaded intervals: 0.5 → 0.25 → … → floor 0.05.
        for tick in 1...5 { _ = control.admit(overloaded: true, now: start + .milliseconds(100 * tick)) }
        #expect(control.admittedFraction == 0.05)
    }

    @Test("Not overloaded: the fraction grows back additively to 1, then everything is admitted")
    func recovers() {
        let control = SIPAdmissionControl(interval: .milliseconds(100), decrease: 0.5, increase: 0.25, minimumFraction: 0.05)
        let start = ContinuousClock.now
        _ = control.admit(overloaded: true, now: start)
        for tick in 1...2 { _ = control.admit(overloaded: false, now: start + .milliseconds(100 * tick)) }
        #expect(control.admittedFraction == 1)
        #expect((0..<100).allSatisfy { _ in control.admit(overloaded: false, now: start + .milliseconds(250)) })
    }
}
