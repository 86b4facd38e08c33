import SIPCore
import SIPStorage
import SIPTestSupport
import Synchronization
import Testing

/// The LocationStore contract, written once and run against every backend.
@Suite struct LocationStoreBehaviourTests {
    @Test(arguments: Backend.allCases)
    func applyReportsAddedRefreshedRemoved(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.location
        let first = makeBinding(index: 1)
        var refreshed = first
        refreshed.cseq = 9
        refreshed.expiresAt = SIPTimestamp(secondsSince1970: 200_000)
        let results = try await store.apply([.upsert(first), .upsert(refreshed), .remove(makeBinding(index: 2).key)])
        #expect(results == [
            BindingChange(kind: .added, binding: first),
            BindingChange(kind: .refreshed, binding: refreshed, previous: first),
            nil,
        ])
        #expect(try await store.bindings(aor: "sip:69@example.net", at: t0) == [refreshed])
        let removed = try await store.apply([.remove(first.key)])
        #expect(removed == [BindingChange(kind: .removed, binding: refreshed)])
        #expect(try await store.unexpiredBindings(at: t0).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func everyFieldRoundTrips(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        var full = makeBinding(index: 3, q: 500, instance: "<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>", regID: 2, connectionID: .max)
        full.path = ["<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"]
        full.cseq = .max
        var bare = makeBinding(user: "70", index: 4, instrument: "softphone-7", connectionID: nil)
        bare.path = []
        bare.userAgent = nil
        bare.transport = "udp"
        _ = try await stores.location.apply([.upsert(full), .upsert(bare)])
        let loaded = try await stores.location.unexpiredBindings(at: t0)
        #expect(loaded == [full, bare])
    }

    @Test(arguments: Backend.allCases)
    func outboundKeyReplacesTheOldFlow(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let instance = "<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>"
        let overFlow1 = makeBinding(index: 1, instance: instance, regID: 1, connectionID: 1)
        let overFlow2 = makeBinding(index: 2, instance: instance, regID: 1, connectionID: 2)
        let secondRegID = makeBinding(index: 3, instance: instance, regID: 2, connectionID: 3)
        _ = try await stores.location.apply([.upsert(overFlow1), .upsert(secondRegID)])
        let results = try await stores.location.apply([.upsert(overFlow2)])
        #expect(results == [BindingChange(kind: .refreshed, binding: overFlow2, previous: overFlow1)])
        let current = try await stores.location.bindings(aor: "sip:69@example.net", at: t0)
        #expect(Set(current.compactMap(\.connectionID)) == [2, 3])
    }

    @Test(arguments: Backend.allCases)
    func queriesByAORAndInstrumentSkipExpired(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let line69 = makeBinding(user: "69", index: 1, expiresAt: 2_000, q: 800)
        let line70 = makeBinding(user: "70", index: 2, expiresAt: 2_000)
        let otherPhone = makeBinding(user: "69", index: 3, expiresAt: 2_000, q: 900, instrument: "00:00:00:00:00:01")
        let stale = makeBinding(user: "69", index: 4, expiresAt: 1_000)
        _ = try await stores.location.apply([.upsert(line69), .upsert(line70), .upsert(otherPhone), .upsert(stale)])
        let mac = try #require(SIPInstrumentID("0000deadbeef"))
        #expect(try await stores.location.bindings(instrument: mac, at: t0) == [line69, line70])
        #expect(try await stores.location.bindings(instrument: mac, aor: "sip:70@example.net", at: t0) == [line70])
        // q descending within an AOR; the binding expiring exactly now is gone.
        #expect(try await stores.location.bindings(aor: "sip:69@example.net", at: t0) == [otherPhone, line69])
        #expect(try await stores.location.unexpiredBindings(at: t0).count == 3)
        #expect(try await stores.location.unexpiredBindings(at: SIPTimestamp(secondsSince1970: 999)).count == 4)
    }

    @Test(arguments: Backend.allCases)
    func purgeRemovesOnlyExpiredAndPublishes(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let subscription = stores.location.changes.subscribe()
        let keep = makeBinding(user: "keep", expiresAt: 5_000)
        let gone1 = makeBinding(user: "gone1", expiresAt: 1_000)
        let gone2 = makeBinding(user: "gone2", expiresAt: 500)
        _ = try await stores.location.apply([.upsert(keep), .upsert(gone1), .upsert(gone2)])
        let purged = try await stores.location.purgeExpired(at: t0)
        #expect(purged == [gone1, gone2])
        #expect(try await stores.location.purgeExpired(at: t0).isEmpty)
        #expect(try await stores.location.unexpiredBindings(at: SIPTimestamp(secondsSince1970: 0)) == [keep])
        var events: [BindingChange] = []
        for try await change in subscription {
            events.append(change)
            if events.count == 5 { break }
        }
        #expect(events.map(\.kind) == [.added, .added, .added, .expired, .expired])
        #expect(events.suffix(2).map(\.binding) == [gone1, gone2])
    }

    @Test(arguments: Backend.allCases)
    func changeFeedReachesEverySubscriberInCommitOrder(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let regEvents = stores.location.changes.subscribe()
        let notifier = stores.location.changes.subscribe()
        let binding = makeBinding()
        var refreshed = binding
        refreshed.cseq += 1
        _ = try await stores.location.apply([.upsert(binding)])
        _ = try await stores.location.apply([.upsert(refreshed), .remove(makeBinding(user: "absent").key)])
        _ = try await stores.location.apply([.remove(binding.key)])
        let expected: [BindingChange] = [
            BindingChange(kind: .added, binding: binding),
            BindingChange(kind: .refreshed, binding: refreshed, previous: binding),
            BindingChange(kind: .removed, binding: refreshed),
        ]
        for subscription in [regEvents, notifier] {
            var seen: [BindingChange] = []
            for try await change in subscription {
                seen.append(change)
                if seen.count == expected.count { break }
            }
            #expect(seen == expected)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentRegistrationsThroughTheWriterAreAllCommitted(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let writer = BindingWriter(store: stores.location)
        let registrations = 200
        let storedOnResume = Counter()
        try await withThrowingTaskGroup { group in
            group.addTask { try await writer.run() }
            try await withThrowingTaskGroup { registrars in
                for index in 0..<registrations {
                    registrars.addTask {
                        let binding = makeBinding(user: "\(1000 + index)", index: index)
                        let changes = try await writer.submit([.upsert(binding)])
                        #expect(changes == [BindingChange(kind: .added, binding: binding)])
                        if try await stores.location.bindings(aor: binding.aor, at: t0) == [binding] {
                            storedOnResume.increment()
                        }
                    }
                }
                try await registrars.waitForAll()
            }
            writer.close()
            try await group.waitForAll()
        }
        #expect(storedOnResume.value == registrations)
        #expect(try await stores.location.unexpiredBindings(at: t0).count == registrations)
        let statistics = writer.statistics
        #expect(statistics.submissions == registrations && statistics.updates == registrations)
        #expect(statistics.batches <= registrations && statistics.failedBatches == 0)
    }
}
