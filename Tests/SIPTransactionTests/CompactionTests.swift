import SIPCore
import SIPTestSupport
import SIPTransport
import Synchronization
import Testing

@testable import SIPTransaction

/// Answers every request at once and keeps only a weak reference to the transaction's record.
final class ForgetfulUser: SIPTransactionUser, Sendable {
    final class Weak: @unchecked Sendable {  // written once under the lock below, read by the test
        weak var record: ServerTransactionRecord?
    }
    let seen = Mutex<[Weak]>([])

    func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle) {
        let weak = Weak()
        weak.record = transaction.record
        seen.withLock { $0.append(weak) }
        try? transaction.respond(statusCode: 200, toTag: "t")
    }
}

@Suite("Server transactions are compacted once Completed")
struct CompactionTests {
    @Test("UDP non-INVITE: after the final response the request is freed, retransmissions still get the response, Timer J ends it")
    func completedNonInviteIsCompact() throws {
        let clock = ManualClock()
        let sender = FakeSender()
        let user = ForgetfulUser()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: clock, user: user)
        let request = Fixtures.request(.register, uri: "sip:example.com")
        layer.receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source()))
        #expect(sender.sentStatuses == [200])
        #expect(layer.transactionCount.server == 1)
        #expect(user.seen.withLock { $0.first?.record } == nil, "nothing holds the request once it is answered")
        // A retransmission is answered with the same response, from the compacted entry.
        layer.receive(SIPIncomingMessage(message: .request(request), source: Fixtures.source()))
        #expect(sender.sentStatuses == [200, 200])
        guard case .response(let again, _) = try #require(sender.sent.last) else { return }
        #expect(again.headers[.callID] == request.headers[.callID])
        #expect(try again.to.tag == "t")
        clock.advance(by: .seconds(32))
        #expect(layer.transactionCount.server == 0)
    }

    @Test("Over TCP a non-INVITE transaction ends with its final response (nothing to compact)")
    func notCompacted() throws {
        let clock = ManualClock()
        let sender = FakeSender()
        let user = ForgetfulUser()
        let layer = try SIPTransactionLayer(sender: sender, scheduler: clock, user: user)
        layer.receive(SIPIncomingMessage(message: .request(Fixtures.request(.register)), source: Fixtures.source(.tcp)))
        #expect(sender.sentStatuses == [200])
        #expect(layer.transactionCount.server == 0)
    }
}
