public import SIPCore
public import SIPStorage

/// One subscription of the notifier as a state machine (RFC 6665 §4.2.2, §4.1.3): pure, clock
/// given, returning what to do; ``Notifier`` carries the actions out. Like the transactions, it
/// never sends anything itself.
///
/// Rules:
/// - every state change is told in a NOTIFY with `Subscription-State` (`active;expires=N`, or
///   `terminated;reason=…`);
/// - at most one NOTIFY per ``minimumNotifyInterval`` (RFC 5989 §4.10: once per second): changes
///   in between are coalesced into one NOTIFY when the interval is over;
/// - one NOTIFY at a time: a change while one is outstanding waits for its answer (its CSeq
///   would otherwise overtake it);
/// - a NOTIFY answered 481, 408 or not at all (timeout, transport error) ends the subscription
///   without another NOTIFY (RFC 6665 §4.2.2);
/// - expiry sends `terminated;reason=timeout`, removal of the resource
///   `terminated;reason=noresource`, an unsubscribe (Expires: 0) `terminated`.
public struct Subscription: Sendable, Hashable {
    /// RFC 5989 §4.10.
    public static let minimumNotifyInterval: Duration = .seconds(1)

    public enum Phase: Sendable, Hashable {
        case active
        /// Ended; the final NOTIFY carries this reason (nil: none, after an unsubscribe).
        case terminated(reason: String?)
    }

    /// What the notifier must do.
    public enum Action: Sendable, Hashable {
        /// Send a NOTIFY with the current state and this `Subscription-State`.
        case sendNotify(SIPSubscriptionState)
        /// Call ``notifyTimerFired(now:)`` at this time.
        case scheduleNotify(at: SIPTimestamp)
        /// Call ``expire(now:)`` at this time.
        case scheduleExpiry(at: SIPTimestamp)
        /// Write the durable record.
        case store
        /// Forget the subscription (and its durable record).
        case remove
    }

    public var record: StoredSubscription
    public private(set) var phase: Phase = .active
    /// When the last NOTIFY was sent.
    public private(set) var lastNotifyAt: SIPTimestamp?
    /// A change waits for the rate limit or for the outstanding NOTIFY.
    public private(set) var notifyPending = false
    /// A NOTIFY transaction is outstanding.
    public private(set) var notifyInFlight = false

    public var key: SubscriptionKey { record.key }

    /// A subscription accepted now (after the 200 to the SUBSCRIBE): tell the current state at
    /// once (RFC 6665 §4.2.1.2), arm the expiry, store it.
    public static func start(_ record: StoredSubscription, now: SIPTimestamp) -> (Subscription, [Action]) {
        var subscription = Subscription(record: record)
        var actions: [Action] = [.store, .scheduleExpiry(at: record.expiresAt)]
        actions += subscription.notifyNow(now: now)
        return (subscription, actions)
    }

    /// A subscription restored after a restart: it goes on where it was; the notifier compares
    /// the stored state summary with the current one and calls ``resourceChanged(now:)`` when
    /// they differ.
    public static func restore(_ record: StoredSubscription) -> (Subscription, [Action]) {
        (Subscription(record: record), [.scheduleExpiry(at: record.expiresAt)])
    }

    init(record: StoredSubscription) {
        self.record = record
    }

    /// A refreshing SUBSCRIBE in the dialog with `expires` granted (0: unsubscribe, RFC 6665
    /// §4.1.2.3). Either way the current state is notified at once (§4.2.1.2).
    public mutating func refresh(expires: UInt32, remoteCSeq: UInt32, now: SIPTimestamp) -> [Action] {
        guard case .active = phase else { return [] }
        record.remoteCSeq = remoteCSeq
        if expires == 0 {
            phase = .terminated(reason: nil)
            record.expiresAt = now
            return finalNotify()
        }
        record.expiresAt = now.adding(.seconds(Int64(expires)))
        notifyPending = false
        var actions: [Action] = [.store, .scheduleExpiry(at: record.expiresAt)]
        actions += notifyNow(now: now)
        return actions
    }

    /// The watched resource changed: notify now, or once the interval since the last NOTIFY is
    /// over, or once the outstanding one is answered.
    public mutating func resourceChanged(now: SIPTimestamp) -> [Action] {
        guard case .active = phase else { return [] }
        if notifyInFlight {
            notifyPending = true
            return []
        }
        if let last = lastNotifyAt, now < last.adding(Self.minimumNotifyInterval) {
            let wasPending = notifyPending
            notifyPending = true
            return wasPending ? [] : [.scheduleNotify(at: last.adding(Self.minimumNotifyInterval))]
        }
        return notifyNow(now: now)
    }

    /// The watched resource is gone: the last state, then `terminated;reason=noresource`.
    public mutating func resourceRemoved(now: SIPTimestamp) -> [Action] {
        guard case .active = phase else { return [] }
        phase = .terminated(reason: "noresource")
        return finalNotify()
    }

    /// The rate-limit timer: send the coalesced NOTIFY if one waits.
    public mutating func notifyTimerFired(now: SIPTimestamp) -> [Action] {
        guard case .active = phase, notifyPending, !notifyInFlight else { return [] }
        if let last = lastNotifyAt, now < last.adding(Self.minimumNotifyInterval) {
            return [.scheduleNotify(at: last.adding(Self.minimumNotifyInterval))]
        }
        return notifyNow(now: now)
    }

    /// The expiry timer: ends the subscription when it was not refreshed meanwhile.
    public mutating func expire(now: SIPTimestamp) -> [Action] {
        guard case .active = phase else { return [] }
        guard now >= record.expiresAt else { return [.scheduleExpiry(at: record.expiresAt)] }
        phase = .terminated(reason: "timeout")
        return finalNotify()
    }

    /// The NOTIFY with CSeq `cseq` was answered `status`, or not at all (nil: timeout or transport
    /// error).
    public mutating func notifyAnswered(status: Int?, now: SIPTimestamp) -> [Action] {
        notifyInFlight = false
        guard case .active = phase else { return [] }
        guard let status, status != 481, status != 408 else {
            phase = .terminated(reason: nil)
            return [.remove]
        }
        guard notifyPending else { return [] }
        return notifyTimerFired(now: now)
    }

    /// The `Subscription-State` of an active subscription, its remaining seconds.
    public func activeState(now: SIPTimestamp) -> SIPSubscriptionState {
        let remaining = max(0, (record.expiresAt.millisecondsSince1970 - now.millisecondsSince1970 + 999) / 1000)
        var parameters = SIPParameters()
        parameters.set("expires", "\(remaining)")
        return SIPSubscriptionState(state: "active", parameters: parameters)
    }

    /// Records a NOTIFY as sent with the next CSeq (the notifier builds it with
    /// ``StoredSubscription/localCSeq`` after this call).
    public mutating func notifySent(now: SIPTimestamp, summary: String) {
        record.localCSeq &+= 1
        record.lastState = summary
        lastNotifyAt = now
        notifyInFlight = true
    }

    private mutating func notifyNow(now: SIPTimestamp) -> [Action] {
        notifyPending = false
        return [.sendNotify(activeState(now: now))]
    }

    private mutating func finalNotify() -> [Action] {
        guard case .terminated(let reason) = phase else { return [] }
        var parameters = SIPParameters()
        if let reason { parameters.set("reason", reason) }
        notifyPending = false
        return [.sendNotify(SIPSubscriptionState(state: "terminated", parameters: parameters)), .remove]
    }
}
