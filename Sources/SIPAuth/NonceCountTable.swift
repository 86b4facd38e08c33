/// Replay protection for nonce counts (RFC 7616 §3.4: "the server can detect replays by noting
/// the nc-value … if the same nc-value is seen twice, then the request is a replay"; RFC 2617
/// §3.2.2).
///
/// Rule: a (nonce, nc) pair is accepted once. Counts may arrive out of order within
/// `reorderWindow` below the highest count seen for that nonce (a client may have several
/// requests in flight with one nonce); anything older, or seen before, is a replay. With a window
/// of 0 counts must strictly increase. Only counts of requests whose digest verified are
/// recorded, so nobody without the password can burn a client's counts.
///
/// Memory is bounded: at most `capacity` nonces are remembered, in first-use order. Entries leave
/// when their nonce has expired or, when full, oldest first. Every nonce that leaves raises a
/// watermark: a nonce issued at or before the watermark that is not in the table has an unknown
/// history and is refused (the client gets a fresh nonce with `stale=true`). The watermark starts
/// at the moment tracking began, so nonces minted before a restart are not accepted blindly.
struct NonceCountTable: Sendable {
    enum Check: Sendable, Hashable {
        case accepted
        case replayed
        case unknownHistory
    }

    struct Entry: Sendable {
        var issued: UInt64
        var highest: UInt32
        /// Bit i set: count `highest - i` was seen.
        var seen: UInt64
    }

    let capacity: Int
    let reorderWindow: Int
    let lifetimeMilliseconds: UInt64
    private(set) var watermark: UInt64
    private var entries: [NonceKey: Entry] = [:]
    /// First-use order; `order[head...]` are live and match `entries` one to one.
    private var order: [NonceKey] = []
    private var head = 0
    private(set) var evictions = 0

    /// - Parameters:
    ///   - capacity: maximum remembered nonces (at least 1).
    ///   - reorderWindow: 0…64.
    ///   - lifetimeMilliseconds: the nonce lifetime.
    ///   - watermark: nonces issued at or before this instant and not tracked are refused.
    init(capacity: Int, reorderWindow: Int, lifetimeMilliseconds: UInt64, watermark: UInt64) {
        self.capacity = max(1, capacity)
        self.reorderWindow = min(64, max(0, reorderWindow))
        self.lifetimeMilliseconds = lifetimeMilliseconds
        self.watermark = watermark
    }

    var count: Int { entries.count }

    /// Records `nonceCount` for `key` at `now`.
    mutating func record(_ key: NonceKey, nonceCount: UInt32, now: UInt64) -> Check {
        purgeExpired(now: now)
        if var entry = entries[key] {
            let check = Self.apply(nonceCount, to: &entry, window: reorderWindow)
            if check == .accepted { entries[key] = entry }
            return check
        }
        guard key.issued > watermark else { return .unknownHistory }
        if entries.count >= capacity {
            removeOldest()
            evictions += 1
        }
        entries[key] = Entry(issued: key.issued, highest: nonceCount, seen: 1)
        order.append(key)
        return .accepted
    }

    static func apply(_ nc: UInt32, to entry: inout Entry, window: Int) -> Check {
        if nc > entry.highest {
            let shift = UInt64(nc - entry.highest)
            entry.seen = shift >= 64 ? 1 : (entry.seen << shift) | 1
            entry.highest = nc
            return .accepted
        }
        let distance = UInt64(entry.highest - nc)
        guard distance < UInt64(window) else { return .replayed }
        let bit: UInt64 = 1 << distance
        guard entry.seen & bit == 0 else { return .replayed }
        entry.seen |= bit
        return .accepted
    }

    /// Drops expired nonces from the front of the first-use order.
    private mutating func purgeExpired(now: UInt64) {
        while head < order.count, let entry = entries[order[head]],
            now > entry.issued && now - entry.issued > lifetimeMilliseconds
        {
            removeOldest()
        }
    }

    private mutating func removeOldest() {
        guard head < order.count else { return }
        let key = order[head]
        head += 1
        if let removed = entries.removeValue(forKey: key) { watermark = max(watermark, removed.issued) }
        if head >= 1024 && head * 2 >= order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
