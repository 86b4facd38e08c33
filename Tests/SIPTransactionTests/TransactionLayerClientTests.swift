import NIOCore
import NIOEmbedded
import SIPCore
import SIPTestSupport
import SIPTransaction
import SIPTransport
import Synchronization
import Testing

@Suite("Transaction layer: client side")
struct TransactionLayerClientTests {
    @Test func nonInviteOverUDPRetransmitsOnTimerEAndDeliversResponses() throws {
        let h = Harness()
        let events = EventRecorder()
        let options = Fixtures.request(.options, branch: "z9hG4bKclient1")
        try h.layer.startClientTransaction(options, to: Fixtures.destination(), onEvent: events.callback)
        #expect(h.sender.sentMethods == [.options])
        for (step, count) in [(500, 2), (1000, 3), (2000, 4), (4000, 5), (4000, 6)] {
            h.clock.advance(by: .milliseconds(step))
            #expect(h.sender.sentMethods.count == count)
        }
        h.deliver(Fixtures.response(100, to: options))
        h.deliver(Fixtures.response(200, to: options))
        h.deliver(Fixtures.response(200, to: options))  // retransmission: absorbed in Completed
        #expect(events.statuses == [100, 200])
        h.clock.advance(by: .seconds(4))
        #expect(h.sender.sentMethods.count == 6, "no retransmissions after the final response")
        #expect(h.layer.transactionCount.client == 1)
        h.clock.advance(by: .seconds(1))  // timer K = T4
        #expect(h.layer.transactionCount.client == 0)
        #expect(h.user.strayResponses.isEmpty)
    }

    @Test func nonInviteOverTCPSendsOnceAndTimesOutOnTimerF() throws {
        let h = Harness()
        let events = EventRecorder()
        try h.layer.startClientTransaction(
            Fixtures.request(.register, branch: "z9hG4bKtcp"), to: Fixtures.destination(.tcp), onEvent: events.callback)
        h.clock.advance(by: .milliseconds(31_999))
        #expect(h.sender.sentMethods == [.register])
        #expect(events.all.isEmpty)
        h.clock.advance(by: .milliseconds(1))
        #expect(events.all == [.timeout])
        #expect(h.layer.transactionCount.client == 0)
    }

    @Test func inviteRejectedGetsACKFromTheTransactionAndRetransmissionsReACKed() throws {
        let h = Harness()
        let events = EventRecorder()
        let invite = Fixtures.request(.invite, branch: "z9hG4bKinv")
        try h.layer.startClientTransaction(invite, to: Fixtures.destination(), onEvent: events.callback)
        for (step, count) in [(500, 2), (1000, 3), (2000, 4)] {  // timer A
            h.clock.advance(by: .milliseconds(step))
            #expect(h.sender.sentMethods.count == count)
        }
        h.deliver(Fixtures.response(180, to: invite))
        h.clock.advance(by: .seconds(60))
        #expect(h.sender.sentMethods.count == 4, "no retransmission in Proceeding, no timer B")
        h.deliver(Fixtures.response(486, to: invite))
        h.deliver(Fixtures.response(486, to: invite))
        #expect(h.sender.sentMethods == [.invite, .invite, .invite, .invite, .ack, .ack])
        #expect(events.statuses == [180, 486])
        guard case .request(let ack, let destination) = h.sender.sent.last else { return }
        #expect(destination == Fixtures.destination())
        #expect(try ack.topVia.branch == "z9hG4bKinv")
        h.clock.advance(by: .seconds(32))  // timer D
        #expect(h.layer.transactionCount.client == 0)
    }

    @Test func inviteTimerBTimesOut() throws {
        let h = Harness()
        let events = EventRecorder()
        try h.layer.startClientTransaction(
            Fixtures.request(.invite, branch: "z9hG4bKb"), to: Fixtures.destination(), onEvent: events.callback)
        h.clock.advance(by: .seconds(32))
        #expect(events.all == [.timeout])
        // A at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: six retransmissions.
        #expect(h.sender.sentMethods.count == 7)
        #expect(h.clock.pendingCount == 0)
    }

    @Test func inviteAcceptedPassesForked2xxUntilTimerM() throws {
        let h = Harness()
        let events = EventRecorder()
        let invite = Fixtures.request(.invite, branch: "z9hG4bKfork")
        try h.layer.startClientTransaction(invite, to: Fixtures.destination(.tls), onEvent: events.callback)
        h.deliver(Fixtures.response(200, to: invite, toTag: "a"), over: .tls)
        h.deliver(Fixtures.response(200, to: invite, toTag: "b"), over: .tls)
        #expect(events.statuses == [200, 200])
        #expect(h.sender.sentMethods == [.invite], "the TU, not the transaction, ACKs a 2xx")
        h.clock.advance(by: .seconds(32))
        h.deliver(Fixtures.response(200, to: invite, toTag: "a"), over: .tls)
        #expect(events.statuses == [200, 200])
        #expect(h.user.strayResponses.count == 1, "after timer M a 2xx is stray and goes to the core")
    }

    @Test func strayResponsesGoToTheTU() {
        let h = Harness()
        h.deliver(Fixtures.response(200, to: Fixtures.request(.options, branch: "z9hG4bKunknown")))
        #expect(h.user.strayResponses.map(\.statusCode) == [200])
    }

    @Test func sendFailureIsATransportError() throws {
        let h = Harness()
        h.sender.setFailing(true)
        let events = EventRecorder()
        try h.layer.startClientTransaction(
            Fixtures.request(.options, branch: "z9hG4bKfail"), to: Fixtures.destination(), onEvent: events.callback)
        #expect(events.all == [.transportError])
        #expect(h.layer.transactionCount.client == 0)
        #expect(h.clock.pendingCount == 0)
    }

    @Test func invalidClientRequestsAreTypedErrors() throws {
        let h = Harness()
        let noop: @Sendable (SIPClientTransactionEvent) -> Void = { _ in }
        #expect(throws: SIPTransactionError.self) {
            try h.layer.startClientTransaction(Fixtures.request(.ack), to: Fixtures.destination(), onEvent: noop)
        }
        #expect(throws: SIPTransactionError.self) {
            try h.layer.startClientTransaction(Fixtures.request(.options, branch: nil), to: Fixtures.destination(), onEvent: noop)
        }
        try h.layer.startClientTransaction(Fixtures.request(.options), to: Fixtures.destination(), onEvent: noop)
        do {
            try h.layer.startClientTransaction(Fixtures.request(.options), to: Fixtures.destination(), onEvent: noop)
            Issue.record("duplicate branch accepted")
        } catch {
            #expect(error.code == .duplicateTransaction)
        }
        // A CANCEL shares its INVITE's branch but is another transaction (§9.1).
        try h.layer.startClientTransaction(Fixtures.request(.cancel), to: Fixtures.destination(), onEvent: noop)
    }

    @Test func asyncSendRequestReturnsTheFinalResponse() async throws {
        let sender = StreamingSender()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: ManualClock())
        let options = Fixtures.request(.options, branch: "z9hG4bKasync")
        async let result = layer.sendRequest(options, to: Fixtures.destination(.tcp))
        var iterator = sender.messages.makeAsyncIterator()
        let sent = await iterator.next()
        #expect(sent == .request(options))
        let source = Fixtures.source(.tcp)
        layer.receive(SIPIncomingMessage(message: .response(Fixtures.response(100, to: options)), source: source))
        layer.receive(SIPIncomingMessage(message: .response(Fixtures.response(200, to: options)), source: source))
        #expect(try await result.statusCode == 200)
    }

    @Test func asyncSendRequestThrowsOnTimeout() async throws {
        let sender = StreamingSender()
        let clock = ManualClock()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: clock)
        async let result = layer.sendRequest(Fixtures.request(.options, branch: "z9hG4bKlate"), to: Fixtures.destination(.tcp))
        var iterator = sender.messages.makeAsyncIterator()
        _ = await iterator.next()
        clock.advance(by: .seconds(32))
        do {
            _ = try await result
            Issue.record("expected a timeout")
        } catch let error as SIPTransactionError {
            #expect(error.code == .timeout)
        }
    }

    @Test func asyncSenderFailureBecomesTransportError() async throws {
        let sender = StreamingSender(failing: true)
        let layer = try SIPTransactionLayer(sender: sender, scheduler: ManualClock())
        do {
            _ = try await layer.sendRequest(Fixtures.request(.options, branch: "z9hG4bKbroken"), to: Fixtures.destination(.tcp))
            Issue.record("expected a transport error")
        } catch {
            #expect(error.code == .transportError)
        }
    }

    @Test func asyncSenderPathSendsServerResponses() async throws {
        let sender = StreamingSender()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: ManualClock(), user: RecordingUser(autoAnswer: 404))
        layer.receive(SIPIncomingMessage(message: .request(Fixtures.request(.options)), source: Fixtures.source()))
        var iterator = sender.messages.makeAsyncIterator()
        #expect(await iterator.next()?.response?.statusCode == 404)
    }

    @Test func requestWithoutViaIsAnswered400() async throws {
        let sender = StreamingSender()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: ManualClock(), user: RecordingUser())
        var headers = SIPHeaders()
        headers.append(.callID, "x")
        headers.append(.cseq, "1 OPTIONS")
        let request = SIPRequest(method: .options, uri: try SIPURI(parsing: "sip:example.com"), headers: headers)
        layer.receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source()))
        var iterator = sender.messages.makeAsyncIterator()
        #expect(await iterator.next()?.response?.statusCode == 400)
        #expect(layer.transactionCount.server == 0)
    }

    @Test func invalidConfigurationIsRejected() {
        #expect(throws: SIPTransactionError.self) {
            try SIPTransactionLayer(
                sender: FakeSender(), scheduler: ManualClock(),
                configuration: .init(timers: SIPTimerConfiguration(t1: .seconds(5), t2: .seconds(4))))
        }
        #expect(throws: SIPTransactionError.self) {
            try SIPTransactionLayer(sender: FakeSender(), scheduler: ManualClock(), configuration: .init(shardCount: 0))
        }
    }

    @Test func eventLoopSchedulerFiresOnTheLoopClockAndCancels() {
        let loop = EmbeddedEventLoop()
        let scheduler = SIPEventLoopTimerScheduler(group: loop)
        let fired = FiredCounter()
        _ = scheduler.schedule(after: .milliseconds(500)) { fired.bump() }
        let cancelled = scheduler.schedule(after: .milliseconds(100)) { fired.bump() }
        cancelled.cancel()
        loop.advanceTime(by: .milliseconds(499))
        #expect(fired.value == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired.value == 1)
    }
}

final class FiredCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func bump() { count.withLock { $0 += 1 } }
}
