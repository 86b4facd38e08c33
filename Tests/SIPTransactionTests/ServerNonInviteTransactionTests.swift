import SIPCore
import SIPTransaction
import Testing

@Suite("Non-INVITE server transaction (RFC 3261 §17.2.2)")
struct ServerNonInviteTransactionTests {
    let register = Fixtures.request(.register)

    @Test func startPassesRequestToTU() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: false)
        #expect(tx.start() == [.passToTU(.request(register))])
        #expect(tx.state == .trying)
    }

    @Test func retransmissionInTryingIsDiscarded() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        #expect(tx.receiveRequest(register) == [])
        #expect(tx.state == .trying)
    }

    @Test func provisionalMovesToProceedingAndIsResent() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        let trying = Fixtures.response(100, to: register)
        #expect(tx.sendResponse(trying) == [.send(.response(trying))])
        #expect(tx.state == .proceeding)
        #expect(tx.receiveRequest(register) == [.send(.response(trying))])
        let progress = Fixtures.response(182, to: register)
        #expect(tx.sendResponse(progress) == [.send(.response(progress))])
        #expect(tx.receiveRequest(register) == [.send(.response(progress))])
    }

    @Test func finalOnUnreliableWaitsTimerJAndResendsFinal() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        let ok = Fixtures.response(200, to: register)
        #expect(tx.sendResponse(ok) == [.send(.response(ok)), .startTimer(.j, .seconds(32))])
        #expect(tx.state == .completed)
        #expect(tx.receiveRequest(register) == [.send(.response(ok))])
        #expect(tx.receiveRequest(register) == [.send(.response(ok))])
        #expect(tx.sendResponse(Fixtures.response(500, to: register)) == [], "later finals are discarded")
        #expect(tx.lastResponse == ok)
        #expect(tx.timerFired(.j) == [.terminate])
        #expect(tx.state == .terminated)
        #expect(tx.receiveRequest(register) == [])
    }

    @Test func finalFromProceedingOnReliableTerminatesAtOnce() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: true)
        _ = tx.start()
        _ = tx.sendResponse(Fixtures.response(100, to: register))
        let ok = Fixtures.response(200, to: register)
        #expect(tx.sendResponse(ok) == [.send(.response(ok)), .terminate])
        #expect(tx.state == .terminated)
    }

    @Test func timerJFollows64T1() {
        var tx = ServerNonInviteTransaction(
            request: register, isReliable: false, timers: SIPTimerConfiguration(t1: .milliseconds(250)))
        _ = tx.start()
        #expect(tx.sendResponse(Fixtures.response(200, to: register)).last == .startTimer(.j, .seconds(16)))
    }

    @Test func staleTimersAreIgnored() {
        var tx = ServerNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        #expect(tx.timerFired(.j) == [])
        #expect(tx.timerFired(.k) == [])
        #expect(tx.state == .trying)
    }

    @Test(arguments: [false, true])
    func transportErrorInProceedingOrCompletedInformsTU(reliable: Bool) {
        var proceeding = ServerNonInviteTransaction(request: register, isReliable: reliable)
        _ = proceeding.start()
        _ = proceeding.sendResponse(Fixtures.response(100, to: register))
        #expect(proceeding.transportError() == [.transportError, .terminate])

        var completed = ServerNonInviteTransaction(request: register, isReliable: false)
        _ = completed.start()
        _ = completed.sendResponse(Fixtures.response(200, to: register))
        #expect(completed.transportError() == [.transportError, .terminate])
        #expect(completed.state == .terminated)
    }
}
