import SIPCore
import SIPTransaction
import Testing

@Suite("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2)")
struct ClientInviteTransactionTests {
    let invite = Fixtures.request(.invite, extraHeaders: ["Route: <sip:proxy.example.com;lr>"])
    let t = SIPTimerConfiguration.default

    @Test func startSendsAndArmsTimersAAndBOnUnreliable() {
        var tx = ClientInviteTransaction(request: invite, isReliable: false)
        #expect(tx.start() == [.send(.request(invite)), .startTimer(.a, .milliseconds(500)), .startTimer(.b, .seconds(32))])
        #expect(tx.state == .calling)
    }

    @Test func startArmsOnlyTimerBOnReliable() {
        var tx = ClientInviteTransaction(request: invite, isReliable: true)
        #expect(tx.start() == [.send(.request(invite)), .startTimer(.b, .seconds(32))])
    }

    @Test func timerADoublesWithoutCap() {
        var tx = ClientInviteTransaction(request: invite, isReliable: false)
        _ = tx.start()
        for seconds in [1, 2, 4, 8, 16] {
            #expect(tx.timerFired(.a) == [.send(.request(invite)), .startTimer(.a, .seconds(seconds))])
        }
        #expect(tx.state == .calling)
    }

    @Test(arguments: [false, true])
    func timerBTimesOutInCalling(reliable: Bool) {
        var tx = ClientInviteTransaction(request: invite, isReliable: reliable)
        _ = tx.start()
        let expected: [SIPTransactionAction] = (reliable ? [] : [.cancelTimer(.a)]) + [.timeout, .terminate]
        #expect(tx.timerFired(.b) == expected)
        #expect(tx.state == .terminated)
        #expect(tx.timerFired(.a) == [])
    }

    @Test(arguments: [false, true])
    func provisionalMovesToProceedingAndStopsRetransmissions(reliable: Bool) {
        var tx = ClientInviteTransaction(request: invite, isReliable: reliable)
        _ = tx.start()
        let ringing = Fixtures.response(180, to: invite)
        let cancels: [SIPTransactionAction] = reliable ? [.cancelTimer(.b)] : [.cancelTimer(.a), .cancelTimer(.b)]
        #expect(tx.receiveResponse(ringing) == cancels + [.passToTU(.response(ringing))])
        #expect(tx.state == .proceeding)
        // Stale timers are ignored; further provisionals go up.
        #expect(tx.timerFired(.a) == [])
        #expect(tx.timerFired(.b) == [])
        #expect(tx.receiveResponse(ringing) == [.passToTU(.response(ringing))])
    }

    @Test func nonSuccessFinalOnUnreliableSendsACKAndWaitsTimerD() {
        var tx = ClientInviteTransaction(request: invite, isReliable: false)
        _ = tx.start()
        let busy = Fixtures.response(486, to: invite)
        let ack = tx.acknowledgement(for: busy)
        #expect(
            tx.receiveResponse(busy) == [
                .cancelTimer(.a), .cancelTimer(.b), .send(.request(ack)), .passToTU(.response(busy)),
                .startTimer(.d, .seconds(32)),
            ])
        #expect(tx.state == .completed)
        // Retransmitted final: ACK again, not passed up.
        #expect(tx.receiveResponse(busy) == [.send(.request(ack))])
        // Provisional or 2xx in Completed: absorbed.
        #expect(tx.receiveResponse(Fixtures.response(180, to: invite)) == [])
        #expect(tx.timerFired(.d) == [.terminate])
        #expect(tx.state == .terminated)
        #expect(tx.receiveResponse(busy) == [])
    }

    @Test func nonSuccessFinalFromProceedingOnReliableTerminatesAtOnce() {
        var tx = ClientInviteTransaction(request: invite, isReliable: true)
        _ = tx.start()
        _ = tx.receiveResponse(Fixtures.response(183, to: invite))
        let declined = Fixtures.response(603, to: invite)
        let ack = tx.acknowledgement(for: declined)
        #expect(tx.receiveResponse(declined) == [.send(.request(ack)), .passToTU(.response(declined)), .terminate])
        #expect(tx.state == .terminated)
    }

    @Test func configuredTimerDIsUsed() {
        var tx = ClientInviteTransaction(
            request: invite, isReliable: false, timers: SIPTimerConfiguration(timerD: .seconds(40)))
        _ = tx.start()
        #expect(tx.receiveResponse(Fixtures.response(404, to: invite)).last == .startTimer(.d, .seconds(40)))
    }

    @Test func acknowledgementFollowsSection17_1_1_3() throws {
        let multiVia = Fixtures.request(
            .invite, extraHeaders: ["Route: <sip:proxy.example.com;lr>", "Via: SIP/2.0/UDP second.example.com"])
        let tx = ClientInviteTransaction(request: multiVia, isReliable: false)
        let busy = Fixtures.response(486, to: multiVia, toTag: "resp-tag")
        let ack = tx.acknowledgement(for: busy)
        #expect(ack.method == .ack)
        #expect(ack.uri == multiVia.uri)
        #expect(try ack.cseq == SIPCSeq(sequence: 314159, method: .ack))
        #expect(ack.callID == multiVia.callID)
        #expect(try ack.from.tag == "1928301774")
        #expect(try ack.to.tag == "resp-tag")
        let vias = try ack.vias()
        #expect(vias.count == 1)
        #expect(vias.first?.branch == Fixtures.branch)
        #expect(try ack.routes().map(\.uri.host) == ["proxy.example.com"])
        #expect(ack.headers[.contentLength] == "0")
    }

    @Test(arguments: [false, true])
    func successGoesToAcceptedAndPassesEvery2xxUntilTimerM(reliable: Bool) {
        var tx = ClientInviteTransaction(request: invite, isReliable: reliable)
        _ = tx.start()
        let ok = Fixtures.response(200, to: invite)
        let cancels: [SIPTransactionAction] = reliable ? [.cancelTimer(.b)] : [.cancelTimer(.a), .cancelTimer(.b)]
        #expect(tx.receiveResponse(ok) == cancels + [.passToTU(.response(ok)), .startTimer(.m, .seconds(32))])
        #expect(tx.state == .accepted)
        let forked = Fixtures.response(200, to: invite, toTag: "other-fork")
        #expect(tx.receiveResponse(forked) == [.passToTU(.response(forked))])
        #expect(tx.receiveResponse(Fixtures.response(500, to: invite)) == [])
        #expect(tx.timerFired(.m) == [.terminate])
        #expect(tx.state == .terminated)
    }

    @Test(arguments: [false, true])
    func transportErrorInformsTU(reliable: Bool) {
        var tx = ClientInviteTransaction(request: invite, isReliable: reliable)
        _ = tx.start()
        #expect(tx.transportError() == [.transportError, .terminate])
        #expect(tx.transportError() == [])
    }

    @Test func timerValuesFollowConfiguredT1() {
        var tx = ClientInviteTransaction(request: invite, isReliable: false, timers: SIPTimerConfiguration(t1: .milliseconds(100)))
        #expect(tx.start() == [.send(.request(invite)), .startTimer(.a, .milliseconds(100)), .startTimer(.b, .milliseconds(6400))])
        #expect(tx.timerFired(.a) == [.send(.request(invite)), .startTimer(.a, .milliseconds(200))])
    }
}
