import SIPCore
import SIPTransaction
import Testing

@Suite("Non-INVITE client transaction (RFC 3261 §17.1.2)")
struct ClientNonInviteTransactionTests {
    let register = Fixtures.request(.register)

    @Test func startArmsTimersEAndFOnUnreliable() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: false)
        #expect(tx.start() == [.send(.request(register)), .startTimer(.e, .milliseconds(500)), .startTimer(.f, .seconds(32))])
        #expect(tx.state == .trying)
    }

    @Test func startArmsOnlyTimerFOnReliable() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: true)
        #expect(tx.start() == [.send(.request(register)), .startTimer(.f, .seconds(32))])
    }

    @Test func timerEDoublesUpToT2InTrying() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        for ms in [1000, 2000, 4000, 4000, 4000] {
            #expect(tx.timerFired(.e) == [.send(.request(register)), .startTimer(.e, .milliseconds(ms))])
        }
    }

    @Test func timerEUsesT2InProceeding() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        let trying = Fixtures.response(100, to: register)
        #expect(tx.receiveResponse(trying) == [.passToTU(.response(trying))])
        #expect(tx.state == .proceeding)
        #expect(tx.timerFired(.e) == [.send(.request(register)), .startTimer(.e, .seconds(4))])
        #expect(tx.timerFired(.e) == [.send(.request(register)), .startTimer(.e, .seconds(4))])
    }

    @Test(arguments: [false, true])
    func timerFTimesOutInTryingAndProceeding(reliable: Bool) {
        let expected: [SIPTransactionAction] = (reliable ? [] : [.cancelTimer(.e)]) + [.timeout, .terminate]
        var trying = ClientNonInviteTransaction(request: register, isReliable: reliable)
        _ = trying.start()
        #expect(trying.timerFired(.f) == expected)
        #expect(trying.state == .terminated)

        var proceeding = ClientNonInviteTransaction(request: register, isReliable: reliable)
        _ = proceeding.start()
        _ = proceeding.receiveResponse(Fixtures.response(100, to: register))
        #expect(proceeding.timerFired(.f) == expected)
    }

    @Test func finalOnUnreliableWaitsTimerKAbsorbingRetransmissions() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: false)
        _ = tx.start()
        let ok = Fixtures.response(200, to: register)
        #expect(
            tx.receiveResponse(ok) == [
                .cancelTimer(.e), .cancelTimer(.f), .passToTU(.response(ok)), .startTimer(.k, .seconds(5)),
            ])
        #expect(tx.state == .completed)
        #expect(tx.receiveResponse(ok) == [])
        #expect(tx.timerFired(.e) == [])
        #expect(tx.timerFired(.f) == [])
        #expect(tx.timerFired(.k) == [.terminate])
        #expect(tx.state == .terminated)
    }

    @Test func finalFromProceedingOnReliableTerminatesAtOnce() {
        var tx = ClientNonInviteTransaction(request: register, isReliable: true)
        _ = tx.start()
        _ = tx.receiveResponse(Fixtures.response(100, to: register))
        let unauthorized = Fixtures.response(401, to: register)
        #expect(tx.receiveResponse(unauthorized) == [.cancelTimer(.f), .passToTU(.response(unauthorized)), .terminate])
        #expect(tx.state == .terminated)
    }

    @Test func timerKFollowsT4() {
        var tx = ClientNonInviteTransaction(
            request: register, isReliable: false, timers: SIPTimerConfiguration(t4: .seconds(2)))
        _ = tx.start()
        #expect(tx.receiveResponse(Fixtures.response(200, to: register)).last == .startTimer(.k, .seconds(2)))
    }

    @Test(arguments: [false, true])
    func transportErrorInformsTU(reliable: Bool) {
        var tx = ClientNonInviteTransaction(request: register, isReliable: reliable)
        _ = tx.start()
        #expect(tx.transportError() == [.transportError, .terminate])
        #expect(tx.state == .terminated)
        #expect(tx.receiveResponse(Fixtures.response(200, to: register)) == [])
    }
}
