import SIPCore
import SIPEvents
import SIPStorage
import Testing

/// ``Subscription``: every transition, on explicit times.
@Suite("Subscription state machine (RFC 6665 §4.2.2, RFC 5989 §4.10)")
struct SubscriptionStateMachineTests {
    static let t0 = SIPTimestamp(millisecondsSince1970: 1_700_000_000_000)

    static func record(expiresIn seconds: Int64 = 3600) -> StoredSubscription {
        StoredSubscription(
            callID: "c1", localTag: "l1", remoteTag: "r1", eventID: "", package: "http-monitor", resource: "0000DEADBEEF",
            localURI: "sips:~~cf~0000DEADBEEF@example.net", remoteURI: "sip:69@example.net",
            remoteTarget: "sip:69@192.0.2.10:5061;transport=tls", routeSet: [], localCSeq: 0, remoteCSeq: 2,
            expiresAt: t0.adding(.seconds(seconds)), transport: "tls", remoteAddress: "192.0.2.10:40000",
            localAddress: "192.0.2.1:5061", subscriber: "69/0000DEADBEEF", wantsBody: false, lastState: "")
    }

    func at(_ milliseconds: Int64) -> SIPTimestamp { Self.t0.adding(.milliseconds(milliseconds)) }

    func started() -> Subscription {
        var (subscription, _) = Subscription.start(Self.record(), now: Self.t0)
        subscription.notifySent(now: Self.t0, summary: "\"a\"")
        _ = subscription.notifyAnswered(status: 200, now: at(50))
        return subscription
    }

    @Test("Start: store, arm the expiry, NOTIFY active;expires=3600 at once")
    func start() {
        let (subscription, actions) = Subscription.start(Self.record(), now: Self.t0)
        #expect(subscription.phase == .active)
        #expect(actions.count == 3)
        #expect(actions[0] == .store)
        #expect(actions[1] == .scheduleExpiry(at: Self.t0.adding(.seconds(3600))))
        guard case .sendNotify(let state) = actions[2] else { Issue.record("no NOTIFY"); return }
        #expect(state.description == "active;expires=3600")
    }

    @Test("notifySent: CSeq +1, the state summary kept, one NOTIFY outstanding")
    func notifySent() {
        var (subscription, _) = Subscription.start(Self.record(), now: Self.t0)
        subscription.notifySent(now: Self.t0, summary: "\"a\"")
        #expect(subscription.record.localCSeq == 1)
        #expect(subscription.record.lastState == "\"a\"")
        #expect(subscription.notifyInFlight)
        subscription.notifySent(now: at(2000), summary: "\"b\"")
        #expect(subscription.record.localCSeq == 2)
    }

    @Test("A change a second or more after the last NOTIFY is notified at once")
    func changeAfterInterval() {
        var subscription = started()
        let actions = subscription.resourceChanged(now: at(1000))
        guard case .sendNotify(let state) = actions.first else { Issue.record("\(actions)"); return }
        #expect(state.description == "active;expires=3599")
    }

    @Test("Changes within a second are coalesced into one NOTIFY when the second is over")
    func coalesced() {
        var subscription = started()
        #expect(subscription.resourceChanged(now: at(300)) == [.scheduleNotify(at: at(1000))])
        #expect(subscription.resourceChanged(now: at(600)).isEmpty, "already scheduled")
        #expect(subscription.notifyPending)
        let fired = subscription.notifyTimerFired(now: at(1000))
        #expect(fired.count == 1)
        guard case .sendNotify = fired.first else { Issue.record("\(fired)"); return }
        #expect(!subscription.notifyPending)
        #expect(subscription.notifyTimerFired(now: at(1100)).isEmpty, "nothing waits any more")
    }

    @Test("A change while a NOTIFY is outstanding waits for its answer")
    func oneAtATime() {
        var (subscription, _) = Subscription.start(Self.record(), now: Self.t0)
        subscription.notifySent(now: Self.t0, summary: "\"a\"")
        #expect(subscription.resourceChanged(now: at(2000)).isEmpty)
        #expect(subscription.notifyPending)
        let answered = subscription.notifyAnswered(status: 200, now: at(2100))
        guard case .sendNotify = answered.first else { Issue.record("\(answered)"); return }
    }

    @Test("Refresh: new expiry, stored, re-armed, NOTIFY at once")
    func refresh() {
        var subscription = started()
        let actions = subscription.refresh(expires: 600, remoteCSeq: 3, now: at(10_000))
        #expect(subscription.record.remoteCSeq == 3)
        #expect(subscription.record.expiresAt == at(610_000))
        #expect(actions.prefix(2) == [.store, .scheduleExpiry(at: at(610_000))])
        guard case .sendNotify(let state) = actions.last else { Issue.record("\(actions)"); return }
        #expect(state.description == "active;expires=600")
    }

    @Test("Unsubscribe (Expires: 0): final NOTIFY terminated without reason, then removed")
    func unsubscribe() {
        var subscription = started()
        let actions = subscription.refresh(expires: 0, remoteCSeq: 3, now: at(5000))
        #expect(subscription.phase == .terminated(reason: nil))
        #expect(actions == [.sendNotify(SIPSubscriptionState(state: "terminated")), .remove])
        #expect(subscription.resourceChanged(now: at(9000)).isEmpty, "nothing after the end")
    }

    @Test("Expiry: terminated;reason=timeout; an early timer (after a refresh) re-arms instead")
    func expiry() {
        var subscription = started()
        #expect(subscription.expire(now: at(3_599_000)) == [.scheduleExpiry(at: at(3_600_000))])
        let actions = subscription.expire(now: at(3_600_000))
        #expect(subscription.phase == .terminated(reason: "timeout"))
        guard case .sendNotify(let state) = actions.first else { Issue.record("\(actions)"); return }
        #expect(state.description == "terminated;reason=timeout")
        #expect(actions.last == .remove)
    }

    @Test("Resource removed: terminated;reason=noresource")
    func noResource() {
        var subscription = started()
        let actions = subscription.resourceRemoved(now: at(2000))
        guard case .sendNotify(let state) = actions.first else { Issue.record("\(actions)"); return }
        #expect(state.reason == "noresource")
        #expect(actions.last == .remove)
    }

    @Test("NOTIFY answered 481, 408 or not at all: removed without another NOTIFY", arguments: [481, 408, nil] as [Int?])
    func notifyFailure(status: Int?) {
        var (subscription, _) = Subscription.start(Self.record(), now: Self.t0)
        subscription.notifySent(now: Self.t0, summary: "\"a\"")
        #expect(subscription.notifyAnswered(status: status, now: at(100)) == [.remove])
        #expect(subscription.phase == .terminated(reason: nil))
    }

    @Test("Other NOTIFY errors keep the subscription")
    func notifyOtherError() {
        var (subscription, _) = Subscription.start(Self.record(), now: Self.t0)
        subscription.notifySent(now: Self.t0, summary: "\"a\"")
        #expect(subscription.notifyAnswered(status: 500, now: at(100)).isEmpty)
        #expect(subscription.phase == .active)
    }

    @Test("Restore: only the expiry is armed; the dialog's CSeq goes on")
    func restore() {
        var record = Self.record()
        record.localCSeq = 7
        var (subscription, actions) = Subscription.restore(record)
        #expect(actions == [.scheduleExpiry(at: record.expiresAt)])
        subscription.notifySent(now: at(1), summary: "\"b\"")
        #expect(subscription.record.localCSeq == 8)
    }
}
