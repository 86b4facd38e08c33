import Testing

@testable import SIPAuth

@Suite("Nonce-count table (RFC 7616 §3.4 replay detection)")
struct NonceCountTableTests {
    func table(capacity: Int = 10, window: Int = 32, lifetime: UInt64 = 300_000, watermark: UInt64 = 0)
        -> NonceCountTable
    {
        NonceCountTable(capacity: capacity, reorderWindow: window, lifetimeMilliseconds: lifetime, watermark: watermark)
    }

    @Test("Each count is accepted once; jumps of 64 and more reset the bitmap")
    func window() {
        var t = table(window: 64)
        let key = NonceKey(issued: 1000, salt: 1)
        #expect(t.record(key, nonceCount: 1, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: 1, now: 1000) == .replayed)
        #expect(t.record(key, nonceCount: 65, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: 2, now: 1000) == .accepted)  // distance 63: inside
        #expect(t.record(key, nonceCount: 1, now: 1000) == .replayed)  // distance 64: outside
        #expect(t.record(key, nonceCount: 2, now: 1000) == .replayed)
        #expect(t.record(key, nonceCount: 1000, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: 999, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: 65, now: 1000) == .replayed)
        #expect(t.record(key, nonceCount: UInt32.max, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: UInt32.max, now: 1000) == .replayed)
    }

    @Test("Strictly increasing with window 0")
    func strict() {
        var t = table(window: 0)
        let key = NonceKey(issued: 1000, salt: 2)
        #expect(t.record(key, nonceCount: 3, now: 1000) == .accepted)
        #expect(t.record(key, nonceCount: 2, now: 1000) == .replayed)
        #expect(t.record(key, nonceCount: 3, now: 1000) == .replayed)
        #expect(t.record(key, nonceCount: 4, now: 1000) == .accepted)
    }

    @Test("Nonces at or below the watermark have unknown history")
    func watermark() {
        var t = table(watermark: 5000)
        #expect(t.record(NonceKey(issued: 5000, salt: 1), nonceCount: 1, now: 6000) == .unknownHistory)
        #expect(t.record(NonceKey(issued: 5001, salt: 1), nonceCount: 1, now: 6000) == .accepted)
        #expect(t.count == 1)
    }

    @Test("Capacity evicts in first-use order and raises the watermark")
    func capacity() {
        var t = table(capacity: 3)
        for i in 1...3 {
            #expect(t.record(NonceKey(issued: UInt64(i * 10), salt: 0), nonceCount: 1, now: 100) == .accepted)
        }
        #expect(t.record(NonceKey(issued: 40, salt: 0), nonceCount: 1, now: 100) == .accepted)
        #expect(t.count == 3)
        #expect(t.evictions == 1)
        #expect(t.watermark == 10)
        #expect(t.record(NonceKey(issued: 10, salt: 0), nonceCount: 2, now: 100) == .unknownHistory)
        #expect(t.record(NonceKey(issued: 20, salt: 0), nonceCount: 2, now: 100) == .accepted)
    }

    @Test("Memory stays bounded under a flood of distinct nonces")
    func bounded() {
        var t = table(capacity: 100)
        for i in 0..<10_000 {
            _ = t.record(NonceKey(issued: UInt64(1000 + i), salt: UInt64(i)), nonceCount: 1, now: UInt64(1000 + i))
        }
        #expect(t.count == 100)
        #expect(t.evictions == 9_900)
    }

    @Test("Expired nonces are purged")
    func expired() {
        var t = table(lifetime: 1000)
        _ = t.record(NonceKey(issued: 0, salt: 0), nonceCount: 1, now: 0)
        _ = t.record(NonceKey(issued: 500, salt: 0), nonceCount: 1, now: 500)
        _ = t.record(NonceKey(issued: 1200, salt: 0), nonceCount: 1, now: 1200)
        #expect(t.count == 2)
        _ = t.record(NonceKey(issued: 1600, salt: 0), nonceCount: 1, now: 1600)
        #expect(t.count == 2)
        #expect(t.evictions == 0)
    }
}
