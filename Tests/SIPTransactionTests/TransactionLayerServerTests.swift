import SIPCore
import SIPTestSupport
import SIPTransaction
import SIPTransport
import Testing

/// A layer wired to a fake sender, a manual clock and a recording TU.
struct Harness {
    let sender = FakeSender()
    let clock = ManualClock()
    let user: RecordingUser
    let layer: SIPTransactionLayer

    init(user: RecordingUser = RecordingUser(), configuration: SIPTransactionLayer.Configuration = .default) {
        self.user = user
        self.layer = try! SIPTransactionLayer(sender: sender, scheduler: clock, user: user, configuration: configuration)
    }

    func deliver(_ request: SIPRequest, over transport: SIPTransportProtocol = .udp) {
        layer.receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source(transport)))
    }

    func deliver(_ response: SIPResponse, over transport: SIPTransportProtocol = .udp) {
        layer.receive(SIPIncomingMessage(message: .response(response), source: Fixtures.source(transport)))
    }
}

@Suite("Transaction layer: server side")
struct TransactionLayerServerTests {
    @Test func registerOverUDPIsAbsorbedAndAnsweredUntilTimerJ() throws {
        let h = Harness()
        let register = Fixtures.request(.register)
        h.deliver(register)
        #expect(h.user.requests.count == 1)
        #expect(h.layer.transactionCount.server == 1)
        // Retransmission before the TU answers: absorbed silently.
        h.deliver(register)
        #expect(h.user.requests.count == 1)
        #expect(h.sender.sent.isEmpty)

        try h.user.requests[0].respond(statusCode: 200, toTag: "reg")
        #expect(h.sender.sentStatuses == [200])
        // Retransmissions are answered with the last response.
        h.deliver(register)
        h.deliver(register)
        #expect(h.sender.sentStatuses == [200, 200, 200])
        #expect(h.user.requests.count == 1)
        // A second final response is refused.
        #expect(throws: SIPTransactionError.self) { try h.user.requests[0].respond(statusCode: 500) }

        h.clock.advance(by: .seconds(31))
        #expect(h.layer.transactionCount.server == 1)
        h.clock.advance(by: .seconds(1))  // timer J = 64·T1 = 32 s
        #expect(h.layer.transactionCount.server == 0)
        #expect(h.clock.pendingCount == 0, "the lifetime guard is cancelled with the transaction")
        // After termination the same request is a new transaction.
        h.deliver(register)
        #expect(h.user.requests.count == 2)
    }

    @Test(arguments: [SIPTransportProtocol.tcp, .tls])
    func registerOverStreamTerminatesOnFinalResponse(transport: SIPTransportProtocol) throws {
        let h = Harness(user: RecordingUser(autoAnswer: 200))
        h.deliver(Fixtures.request(.register, transport: transport.rawValue), over: transport)
        #expect(h.sender.sentStatuses == [200])
        guard case .response(_, let source) = h.sender.sent.first else { return }
        #expect(source.transport == transport)
        #expect(source.connectionID == SIPConnectionID(rawValue: 7))
        #expect(h.layer.transactionCount.server == 0)
        #expect(h.clock.pendingCount == 0)
    }

    @Test func inviteGets100TryingAfter200msThenRetransmitsNonSuccessFinalOnTimerG() throws {
        let h = Harness()
        let invite = Fixtures.request(.invite)
        h.deliver(invite)
        h.clock.advance(by: .milliseconds(199))
        #expect(h.sender.sent.isEmpty)
        h.clock.advance(by: .milliseconds(1))
        #expect(h.sender.sentStatuses == [100])
        h.deliver(invite)
        #expect(h.sender.sentStatuses == [100, 100], "retransmitted INVITE gets the last provisional")

        try h.user.requests[0].respond(statusCode: 486, toTag: "busy")
        #expect(h.sender.sentStatuses == [100, 100, 486])
        // Timer G: 500 ms, 1 s, 2 s, 4 s, 4 s…
        for (step, count) in [(500, 4), (1000, 5), (2000, 6), (4000, 7), (4000, 8)] {
            h.clock.advance(by: .milliseconds(step))
            #expect(h.sender.sentStatuses.count == count)
        }
        // The ACK (same branch) is absorbed: no TU callback, retransmissions stop.
        h.deliver(Fixtures.request(.ack, toTag: "busy", cseqMethod: .ack))
        #expect(h.user.acks.isEmpty)
        h.clock.advance(by: .seconds(4))
        #expect(h.sender.sentStatuses.count == 8)
        // Timer I = T4 = 5 s.
        #expect(h.layer.transactionCount.server == 1)
        h.clock.advance(by: .seconds(1))
        #expect(h.layer.transactionCount.server == 0)
        #expect(h.user.failures.isEmpty)
    }

    @Test func inviteOverTCPSendsNoRetransmissionsAndEndsOnACK() throws {
        let h = Harness()
        h.deliver(Fixtures.request(.invite, transport: "TCP"), over: .tcp)
        try h.user.requests[0].respond(statusCode: 404, toTag: "nf")
        h.clock.advance(by: .seconds(10))
        #expect(h.sender.sentStatuses == [404])
        h.deliver(Fixtures.request(.ack, transport: "TCP", toTag: "nf", cseqMethod: .ack), over: .tcp)
        #expect(h.layer.transactionCount.server == 0)
    }

    @Test func timerHReportsMissingACKToTheTU() throws {
        let h = Harness()
        h.deliver(Fixtures.request(.invite))
        try h.user.requests[0].respond(statusCode: 480, toTag: "x")
        h.clock.advance(by: .seconds(32))
        #expect(h.user.failures == [.timeout])
        #expect(h.layer.transactionCount.server == 0)
        // The 480, then timer G at 0.5, 1.5, 3.5, 7.5, 11.5, …, 31.5 s: ten retransmissions.
        #expect(h.sender.sentStatuses.filter { $0 == 480 }.count == 1 + 10)
    }

    @Test func ackFor2xxGoesToTheTUAndAcceptedAbsorbsRetransmissions() throws {
        let h = Harness()
        let invite = Fixtures.request(.invite)
        h.deliver(invite)
        try h.user.requests[0].respond(statusCode: 200, toTag: "ok")
        #expect(h.sender.sentStatuses == [200])
        h.deliver(invite)
        #expect(h.sender.sentStatuses == [200], "RFC 6026 Accepted: INVITE retransmission absorbed")
        #expect(h.user.requests.count == 1)
        // The TU retransmits its 2xx through the handle (§13.3.1.4).
        try h.user.requests[0].respond(statusCode: 200, toTag: "ok")
        #expect(h.sender.sentStatuses == [200, 200])
        // ACK for 2xx: a new branch, so no transaction; handed to the TU.
        h.deliver(Fixtures.request(.ack, branch: "z9hG4bKack2xx", toTag: "ok", cseqMethod: .ack))
        #expect(h.user.acks.count == 1)
        h.clock.advance(by: .seconds(32))  // timer L
        #expect(h.layer.transactionCount.server == 0)
    }

    @Test func cancelFindsItsInviteTransaction() throws {
        let h = Harness()
        let invite = Fixtures.request(.invite)
        h.deliver(invite)
        let cancel = Fixtures.request(.cancel)
        h.deliver(cancel)
        #expect(h.user.requests.map(\.request.method) == [.invite, .cancel])
        let target = h.layer.inviteTransaction(forCancel: cancel)
        #expect(target == h.user.requests[0])
        #expect(h.user.requests[1] != h.user.requests[0], "CANCEL has its own transaction")
        // The TU answers the CANCEL 200 and the INVITE 487 (§9.2).
        try h.user.requests[1].respond(statusCode: 200, toTag: "c")
        try target?.respond(statusCode: 487, toTag: "c")
        #expect(h.sender.sentStatuses == [200, 487])
        // Once the INVITE has a final response it cannot be cancelled any more.
        #expect(h.layer.inviteTransaction(forCancel: cancel) == nil)
        // A CANCEL for an unknown branch matches nothing (the TU answers 481).
        #expect(h.layer.inviteTransaction(forCancel: Fixtures.request(.cancel, branch: "z9hG4bKnone")) == nil)
        #expect(h.layer.inviteTransaction(forCancel: invite) == nil, "only a CANCEL can be matched")
    }

    @Test func rfc2543RequestsMatchByTheirFields() throws {
        let h = Harness()
        let invite = Fixtures.request(.invite, branch: nil)
        h.deliver(invite)
        h.deliver(invite)
        #expect(h.user.requests.count == 1)
        try h.user.requests[0].respond(statusCode: 486, toTag: "legacy")
        h.deliver(invite)
        #expect(h.sender.sentStatuses == [486, 486])
        // CANCEL matching: before the final it would have matched; now the INVITE is completed.
        #expect(h.layer.inviteTransaction(forCancel: Fixtures.request(.cancel, branch: nil)) == nil)
        // An ACK with another To tag is not this transaction's: to the TU.
        h.deliver(Fixtures.request(.ack, branch: nil, toTag: "wrong", cseqMethod: .ack))
        #expect(h.user.acks.count == 1)
        // The ACK carrying the response's To tag is absorbed.
        h.deliver(Fixtures.request(.ack, branch: nil, toTag: "legacy", cseqMethod: .ack))
        #expect(h.user.acks.count == 1)
        h.clock.advance(by: .seconds(5))
        #expect(h.layer.transactionCount.server == 0)
    }

    @Test func rfc2543CancelMatchesInviteInProceeding() {
        let h = Harness()
        h.deliver(Fixtures.request(.invite, branch: nil))
        let cancel = Fixtures.request(.cancel, branch: nil)
        #expect(h.layer.inviteTransaction(forCancel: cancel) == h.user.requests.first)
        #expect(h.layer.inviteTransaction(forCancel: Fixtures.request(.cancel, branch: nil, cseq: 9)) == nil)
    }

    @Test func transportErrorOnResponseIsReportedToTheTU() throws {
        let h = Harness()
        h.deliver(Fixtures.request(.options))
        h.sender.setFailing(true)
        try h.user.requests[0].respond(statusCode: 200)
        #expect(h.user.failures == [.transportError])
        #expect(h.layer.transactionCount.server == 0)
    }

    @Test func reaperRemovesTransactionsTheTUNeverAnswers() {
        let h = Harness(configuration: .init(maximumLifetime: .seconds(60)))
        h.deliver(Fixtures.request(.options))
        h.clock.advance(by: .seconds(59))
        #expect(h.layer.transactionCount.server == 1)
        h.clock.advance(by: .seconds(1))
        #expect(h.layer.transactionCount.server == 0)
        #expect(h.user.failures == [.lifetimeExceeded])
        #expect(throws: SIPTransactionError.self) { try h.user.requests[0].respond(statusCode: 200) }
    }

    @Test func invalidStatusCodeIsATypedError() {
        let h = Harness()
        h.deliver(Fixtures.request(.options))
        #expect(throws: SIPTransactionError.self) { try h.user.requests[0].respond(statusCode: 700) }
        #expect(h.sender.sent.isEmpty)
    }

    @Test func withoutATransactionUserRequestsAreAnswered503() {
        let sender = FakeSender()
        let layer = try! SIPTransactionLayer(sender: sender, scheduler: ManualClock())
        layer.receive(SIPIncomingMessage(message: .request(Fixtures.request(.options)), source: Fixtures.source()))
        #expect(sender.sentStatuses == [503])
    }

    @Test func stateChangesFromManyThreadsStayConsistent() async throws {
        let h = Harness(user: RecordingUser(autoAnswer: 200))
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<250 {
                        let request = Fixtures.request(.register, branch: "z9hG4bK-\(worker)-\(i)")
                        h.deliver(request)
                        h.deliver(request)
                    }
                }
            }
        }
        #expect(h.user.requests.count == 1000)
        #expect(h.sender.sentStatuses.count == 2000, "each answered once and each retransmission absorbed")
        #expect(h.layer.transactionCount.server == 1000)
        h.clock.advance(by: .seconds(32))
        #expect(h.layer.transactionCount.server == 0)
    }
}
