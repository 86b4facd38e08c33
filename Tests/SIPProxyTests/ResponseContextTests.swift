import SIPCore
import SIPProxy
import Testing

/// Every rule of the response context (RFC 3261 §16.7–16.10), one test each. The context is
/// pure: no clock, no I/O — Timer C is an event the test delivers.
@Suite("ResponseContext: best response, forking, CANCEL, Timer C")
struct ResponseContextTests {
    typealias Action = ResponseContext.Action

    static func response(_ status: Int, _ headers: [SIPHeaderField] = []) -> SIPResponse {
        SIPResponse(statusCode: status, headers: SIPHeaders(headers))
    }

    static func forwarded(_ actions: [Action]) -> [Int] {
        actions.compactMap { if case .forward(let r) = $0 { r.statusCode } else { nil } }
    }

    static func cancelled(_ actions: [Action]) -> [Int] {
        actions.flatMap { action -> [Int] in
            if case .cancelBranches(let branches) = action { return branches }
            return []
        }
    }

    @Test("Start: the first group starts in parallel; INVITE branches arm Timer C")
    func start() {
        var invite = ResponseContext(method: .invite, groups: [2, 1])
        #expect(invite.start() == [.startBranches([0, 1]), .armTimerC(0), .armTimerC(1)])
        var subscribe = ResponseContext(method: .subscribe, groups: [3])
        #expect(subscribe.start() == [.startBranches([0, 1, 2])])
    }

    @Test("100 is not forwarded; other provisionals are, and re-arm Timer C (§16.7 step 2, 5)")
    func provisionals() {
        var context = ResponseContext(method: .invite, groups: [1])
        _ = context.start()
        #expect(context.receive(Self.response(100), branch: 0) == [.armTimerC(0)])
        #expect(Self.forwarded(context.receive(Self.response(180), branch: 0)) == [180])
        var subscribe = ResponseContext(method: .subscribe, groups: [1])
        _ = subscribe.start()
        #expect(Self.forwarded(subscribe.receive(Self.response(183), branch: 0)) == [183])
    }

    @Test("2xx to INVITE: forwarded at once, the others cancelled, later 2xx forwarded too (§16.7 step 5, 10)")
    func inviteSuccess() {
        var context = ResponseContext(method: .invite, groups: [3])
        _ = context.start()
        _ = context.receive(Self.response(180), branch: 1)
        let first = context.receive(Self.response(200), branch: 0)
        #expect(Self.forwarded(first) == [200])
        #expect(Self.cancelled(first) == [1], "branch 1 rang; branch 2 had no provisional yet (§9.1)")
        // Branch 2's first provisional brings its CANCEL; its 200 (a race) is still forwarded.
        #expect(Self.cancelled(context.receive(Self.response(100), branch: 2)) == [2])
        #expect(Self.forwarded(context.receive(Self.response(200), branch: 2)) == [200])
        let last = context.receive(Self.response(487), branch: 1)
        #expect(Self.forwarded(last).isEmpty)
        #expect(last.last == .finished)
    }

    @Test("2xx to SUBSCRIBE: the first goes upstream, later ones are absorbed (RFC 6665 §4.1.2.4)")
    func subscribeSuccess() {
        var context = ResponseContext(method: .subscribe, groups: [2])
        _ = context.start()
        #expect(Self.forwarded(context.receive(Self.response(202), branch: 1)) == [202])
        let second = context.receive(Self.response(200), branch: 0)
        #expect(Self.forwarded(second).isEmpty)
        #expect(Self.cancelled(second).isEmpty, "non-INVITE requests are never cancelled (§9.1)")
        #expect(second == [.finished])
    }

    @Test("No 2xx: lowest class wins once every branch is done (§16.7 step 6)")
    func lowestClass() {
        var context = ResponseContext(method: .message, groups: [3])
        _ = context.start()
        #expect(Self.forwarded(context.receive(Self.response(500), branch: 0)).isEmpty)
        #expect(Self.forwarded(context.receive(Self.response(486), branch: 1)).isEmpty)
        let last = context.receive(Self.response(302), branch: 2)
        #expect(Self.forwarded(last) == [302])
        #expect(last.last == .finished)
    }

    @Test("Within 4xx, 401/407/415/420/484 are preferred")
    func preferredClientErrors() {
        for preferred in [401, 407, 415, 420, 484] {
            var context = ResponseContext(method: .invite, groups: [2])
            _ = context.start()
            _ = context.receive(Self.response(486), branch: 0)
            #expect(Self.forwarded(context.receive(Self.response(preferred), branch: 1)) == [preferred])
        }
    }

    @Test("A chosen 503 is sent as 500 (§16.7 step 6)")
    func serviceUnavailableBecomes500() {
        var context = ResponseContext(method: .message, groups: [1])
        _ = context.start()
        #expect(Self.forwarded(context.receive(Self.response(503), branch: 0)) == [500])
    }

    @Test("6xx: not forwarded at once; pending branches cancelled; it wins over lower classes")
    func globalFailure() {
        var context = ResponseContext(method: .invite, groups: [2, 1])
        _ = context.start()
        _ = context.receive(Self.response(180), branch: 1)
        let decline = context.receive(Self.response(603), branch: 0)
        #expect(Self.forwarded(decline).isEmpty)
        #expect(Self.cancelled(decline) == [1])
        let last = context.receive(Self.response(487), branch: 1)
        #expect(Self.forwarded(last) == [603])
        #expect(!last.contains(.startBranches([2])), "no new branch after a 6xx")
        #expect(last.last == .finished)
    }

    @Test("401 and 407 challenges of every branch are merged into the one sent (§16.7 step 7)")
    func challengesMerged() {
        var context = ResponseContext(method: .invite, groups: [3])
        _ = context.start()
        _ = context.receive(Self.response(401, [SIPHeaderField(.wwwAuthenticate, "Digest realm=\"a\"")]), branch: 0)
        _ = context.receive(Self.response(407, [SIPHeaderField(.proxyAuthenticate, "Digest realm=\"b\"")]), branch: 1)
        let actions = context.receive(Self.response(486), branch: 2)
        guard case .forward(let sent)? = actions.first(where: { if case .forward = $0 { true } else { false } }) else {
            Issue.record("nothing forwarded")
            return
        }
        #expect(sent.statusCode == 401)
        #expect(sent.headers.all(.wwwAuthenticate).map { String($0.value) } == ["Digest realm=\"a\""])
        #expect(sent.headers.all(.proxyAuthenticate).map { String($0.value) } == ["Digest realm=\"b\""])
    }

    @Test("Serial groups: the next q group starts only after the previous one failed (§16.6)")
    func serialGroups() {
        var context = ResponseContext(method: .invite, groups: [1, 2])
        _ = context.start()
        let next = context.receive(Self.response(486), branch: 0)
        #expect(next.contains(.startBranches([1, 2])))
        #expect(Self.forwarded(next).isEmpty)
        _ = context.receive(Self.response(480), branch: 1)
        #expect(Self.forwarded(context.receive(Self.response(404), branch: 2)) == [486], "lowest class; first one")
    }

    @Test("Timeouts count as 408 (§16.8), transport errors as 503 sent as 500 (§16.9); nothing at all → 408")
    func generatedFinals() {
        var timeout = ResponseContext(method: .message, groups: [1])
        _ = timeout.start()
        #expect(Self.forwarded(timeout.timedOut(branch: 0)) == [408])
        var transport = ResponseContext(method: .message, groups: [1])
        _ = transport.start()
        #expect(Self.forwarded(transport.transportFailed(branch: 0)) == [500])
        var empty = ResponseContext(method: .message, groups: [])
        #expect(empty.start() == [.generate(statusCode: 408), .finished])
    }

    @Test("Timer C: a ringing branch is cancelled; a silent one counts as 408 (§16.8)")
    func timerC() {
        var context = ResponseContext(method: .invite, groups: [2])
        _ = context.start()
        _ = context.receive(Self.response(180), branch: 0)
        #expect(context.timerCFired(branch: 0) == [.cancelBranches([0])])
        #expect(context.timerCFired(branch: 0).isEmpty, "one CANCEL only")
        let silent = context.timerCFired(branch: 1)
        #expect(silent.contains(.disarmTimerC(1)))
        #expect(Self.forwarded(context.receive(Self.response(487), branch: 0)) == [408], "same class: the first received wins")
    }

    @Test("CANCEL from upstream: ringing branches cancelled now, silent ones on their first provisional (§16.10, §9.1)")
    func upstreamCancel() {
        var context = ResponseContext(method: .invite, groups: [2, 1])
        _ = context.start()
        _ = context.receive(Self.response(180), branch: 0)
        #expect(Self.cancelled(context.cancel()) == [0])
        #expect(Self.cancelled(context.receive(Self.response(183), branch: 1)) == [1])
        _ = context.receive(Self.response(487), branch: 0)
        let last = context.receive(Self.response(487), branch: 1)
        #expect(Self.forwarded(last) == [487])
        #expect(!last.contains(.startBranches([2])), "no new group after CANCEL")
        #expect(last.last == .finished)
    }

    @Test("Responses for unknown or not-started branches are ignored; late finals after completion too")
    func ignored() {
        var context = ResponseContext(method: .message, groups: [1, 1])
        _ = context.start()
        #expect(context.receive(Self.response(200), branch: 7).isEmpty)
        #expect(context.receive(Self.response(200), branch: 1).isEmpty, "branch 1 is in the next group")
        _ = context.receive(Self.response(486), branch: 0)
        #expect(context.receive(Self.response(486), branch: 0).isEmpty)
    }
}
