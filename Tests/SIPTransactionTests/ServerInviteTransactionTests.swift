import SIPCore
import SIPTransaction
import Testing

@Suite("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1)")
struct ServerInviteTransactionTests {
    let invite = Fixtures.request(.invite)
    var ack: SIPRequest { Fixtures.request(.ack, toTag: "8321234356", cseqMethod: .ack) }

    func started(reliable: Bool, timers: SIPTimerConfiguration = .default) -> ServerInviteTransaction {
        var tx = ServerInviteTransaction(request: invite, isReliable: reliable, timers: timers)
        _ = tx.start()
        return tx
    }

    @Test func startPassesToTUAndArmsTryingTimer() {
        var tx = ServerInviteTransaction(request: invite, isReliable: false)
        #expect(tx.start() == [.startTimer(.trying, .milliseconds(200)), .passToTU(.request(invite))])
        #expect(tx.state == .proceeding)
    }

    @Test func trying100IsSentWhenTheTUIsSilent() throws {
        var tx = started(reliable: false)
        let actions = tx.timerFired(.trying)
        #expect(actions.map(\.sentStatus) == [100])
        guard case .send(.response(let trying)) = actions.first else { return }
        #expect(try trying.to.tag == nil)
        #expect(trying.callID == invite.callID)
        // A retransmitted INVITE now gets the 100 again.
        #expect(tx.receiveRequest(invite) == [.send(.response(trying))])
    }

    @Test func zeroTryingDelaySends100Immediately() {
        var tx = ServerInviteTransaction(
            request: invite, isReliable: true, timers: SIPTimerConfiguration(tryingDelay: .zero))
        let actions = tx.start()
        #expect(actions.map(\.sentStatus) == [100, nil])
        #expect(actions.last == .passToTU(.request(invite)))
    }

    @Test func tuProvisionalCancelsTryingTimer() {
        var tx = started(reliable: false)
        #expect(tx.receiveRequest(invite) == [], "nothing to resend before any response")
        let ringing = Fixtures.response(180, to: invite)
        #expect(tx.sendResponse(ringing) == [.cancelTimer(.trying), .send(.response(ringing))])
        #expect(tx.timerFired(.trying) == [])
        #expect(tx.receiveRequest(invite) == [.send(.response(ringing))])
        #expect(tx.state == .proceeding)
    }

    @Test func nonSuccessFinalOnUnreliableArmsGAndH() {
        var tx = started(reliable: false)
        let busy = Fixtures.response(486, to: invite)
        #expect(
            tx.sendResponse(busy) == [
                .cancelTimer(.trying), .send(.response(busy)), .startTimer(.g, .milliseconds(500)),
                .startTimer(.h, .seconds(32)),
            ])
        #expect(tx.state == .completed)
    }

    @Test func nonSuccessFinalOnReliableArmsOnlyH() {
        var tx = started(reliable: true)
        let busy = Fixtures.response(486, to: invite)
        #expect(tx.sendResponse(busy) == [.cancelTimer(.trying), .send(.response(busy)), .startTimer(.h, .seconds(32))])
    }

    @Test func timerGRetransmitsDoublingUpToT2() {
        var tx = started(reliable: false)
        let busy = Fixtures.response(486, to: invite)
        _ = tx.sendResponse(busy)
        for ms in [1000, 2000, 4000, 4000] {
            #expect(tx.timerFired(.g) == [.send(.response(busy)), .startTimer(.g, .milliseconds(ms))])
        }
    }

    @Test func inviteRetransmissionInCompletedResendsFinal() {
        var tx = started(reliable: false)
        let busy = Fixtures.response(486, to: invite)
        _ = tx.sendResponse(busy)
        #expect(tx.receiveRequest(invite) == [.send(.response(busy))])
        #expect(tx.sendResponse(Fixtures.response(500, to: invite)) == [], "a second final is refused")
    }

    @Test func ackOnUnreliableConfirmsAndWaitsTimerI() {
        var tx = started(reliable: false)
        _ = tx.sendResponse(Fixtures.response(486, to: invite))
        #expect(tx.receiveRequest(ack) == [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, .seconds(5))])
        #expect(tx.state == .confirmed)
        // ACK retransmissions and INVITE retransmissions are absorbed; stale G/H ignored.
        #expect(tx.receiveRequest(ack) == [])
        #expect(tx.receiveRequest(invite) == [])
        #expect(tx.timerFired(.g) == [])
        #expect(tx.timerFired(.h) == [])
        #expect(tx.timerFired(.i) == [.terminate])
        #expect(tx.state == .terminated)
    }

    @Test func ackOnReliableTerminatesAtOnce() {
        var tx = started(reliable: true)
        _ = tx.sendResponse(Fixtures.response(486, to: invite))
        #expect(tx.receiveRequest(ack) == [.cancelTimer(.h), .terminate])
        #expect(tx.state == .terminated)
    }

    @Test(arguments: [false, true])
    func timerHTimesOutWithoutACK(reliable: Bool) {
        var tx = started(reliable: reliable)
        _ = tx.sendResponse(Fixtures.response(404, to: invite))
        #expect(tx.timerFired(.h) == (reliable ? [] : [.cancelTimer(.g)]) + [.timeout, .terminate])
        #expect(tx.state == .terminated)
    }

    @Test(arguments: [false, true])
    func successMovesToAcceptedPerRFC6026(reliable: Bool) {
        var tx = started(reliable: reliable)
        let ok = Fixtures.response(200, to: invite)
        #expect(tx.sendResponse(ok) == [.cancelTimer(.trying), .send(.response(ok)), .startTimer(.l, .seconds(32))])
        #expect(tx.state == .accepted)
        // INVITE retransmissions are absorbed; the TU retransmits the 2xx itself.
        #expect(tx.receiveRequest(invite) == [])
        #expect(tx.sendResponse(ok) == [.send(.response(ok))])
        #expect(tx.sendResponse(Fixtures.response(486, to: invite)) == [])
        // An ACK matching the transaction goes to the TU.
        #expect(tx.receiveRequest(ack) == [.passToTU(.request(ack))])
        #expect(tx.timerFired(.l) == [.terminate])
        #expect(tx.state == .terminated)
    }

    @Test func ackBeforeFinalIsIgnored() {
        var tx = started(reliable: false)
        #expect(tx.receiveRequest(ack) == [])
        #expect(tx.state == .proceeding)
    }

    @Test(arguments: [false, true])
    func transportErrorInformsTU(reliable: Bool) {
        var tx = started(reliable: reliable)
        _ = tx.sendResponse(Fixtures.response(486, to: invite))
        #expect(tx.transportError() == [.transportError, .terminate])
        #expect(tx.state == .terminated)
        #expect(tx.timerFired(.h) == [])
    }
}
