import SIPCore
import SIPStorage
import SIPTestSupport
import Synchronization
import Testing

/// An executor that queues work until the test drains it, and counts hand-offs (wake-ups).
final class QueueExecutor: Sendable {
    private final class Token: Sendable {}
    private let token = Token()
    private let queued = Mutex<[@Sendable () -> Void]>([])
    private let handOffs = Mutex(0)

    var executor: CompletionExecutor {
        CompletionExecutor(id: ObjectIdentifier(token)) { [self] work in
            handOffs.withLock { $0 += 1 }
            queued.withLock { $0.append(work) }
        }
    }
    var wakeUps: Int { handOffs.withLock { $0 } }
    var pending: Int { queued.withLock { $0.count } }
    func drain() { for work in queued.withLock({ q in defer { q = [] }; return q }) { work() } }
}

@Suite("BindingWriter: completions on the caller's executor, index applied first")
struct BindingWriterCompletionTests {
    @Test("A batch's completions reach each executor in one hand-off, in submission order, after the index is updated")
    func oneHandOffPerExecutorPerBatch() async throws {
        let store = GatedLocationStore()
        let location = LocationService()
        let writer = BindingWriter(store: store, location: location)
        let loopA = QueueExecutor()
        let loopB = QueueExecutor()
        let order = Mutex<[String]>([])
        let seenInIndex = Mutex<[Int]>([])
        let now = ManualClock.defaultStart
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            // The first submission is held in its commit while the others queue behind it.
            writer.submit([.upsert(makeBinding(index: 0))], on: loopA.executor) { _ in order.withLock { $0.append("A0") } }
            for await _ in store.firstApplyStarted { break }
            for index in 1...4 {
                let loop = index.isMultiple(of: 2) ? loopA : loopB
                let binding = makeBinding(user: "u\(index)", index: index)
                writer.submit([.upsert(binding)], on: loop.executor) { outcome in
                    order.withLock { $0.append("\(index.isMultiple(of: 2) ? "A" : "B")\(index)") }
                    seenInIndex.withLock { $0.append(location.contacts(aor: binding.aor, now: now).count) }
                    #expect((try? outcome.get())?.count == 1)
                }
            }
            #expect(writer.backlog == 5)
            store.release()
            // Batch 1 (A0) then batch 2 (four submissions): 1 + 2 hand-offs, none per registration.
            while loopA.wakeUps + loopB.wakeUps < 3 { await Task.yield() }
            loopA.drain()
            loopB.drain()
            writer.close()
            try await group.waitForAll()
        }
        #expect(loopA.wakeUps == 2 && loopB.wakeUps == 1)
        #expect(order.withLock { $0 } == ["A0", "A2", "A4", "B1", "B3"])
        #expect(seenInIndex.withLock { $0 } == [1, 1, 1, 1], "the index held each binding before its completion ran")
        #expect(writer.backlog == 0)
        #expect(store.batches.count == 2)
    }

    @Test("A refused submission (writer closed) completes on its executor with shuttingDown")
    func refusedCompletesOnExecutor() async throws {
        let writer = BindingWriter(store: InMemoryLocationStore())
        writer.close()
        let loop = QueueExecutor()
        let result = Mutex<StorageError?>(nil)
        writer.submit([.upsert(makeBinding())], on: loop.executor) { outcome in
            if case .failure(let error) = outcome { result.withLock { $0 = error } }
        }
        #expect(result.withLock { $0 } == nil, "nothing runs on the submitting thread")
        loop.drain()
        #expect(result.withLock { $0 } == .shuttingDown)
    }
}

@Suite("Location service: request targets in one call")
struct LocationTargetTests {
    let now = ManualClock.defaultStart

    func service() -> LocationService {
        let location = LocationService()
        location.load([
            makeBinding(user: "69", index: 1, q: 500, instrument: "0000DEADBEEF"),
            makeBinding(user: "70", index: 2, instrument: "0000DEADBEEF"),
            makeBinding(user: "69", index: 3, instrument: "0000CAFEF00D"),
        ])
        return location
    }

    @Test("sip:~~in~MAC reaches every line of the instrument, MAC in any case or with separators")
    func instrument() throws {
        for text in ["sip:~~in~0000DEADBEEF@example.net", "sip:~~in~0000deadbeef@example.net", "sip:~~in~00-00-de-ad-be-ef@example.net", "sip:~~in~00%3a00%3ade%3aad%3abe%3aef@example.net"] {
            let target = try #require(SIPLocationTarget(requestURI: try SIPURI(parsing: text)))
            #expect(Set(service().contacts(for: target, now: now).map(\.aor)) == ["sip:69@example.net", "sip:70@example.net"], "\(text)")
        }
    }

    @Test("sip:~~in~USER&MAC reaches that user's lines on that instrument only (split at the last &)")
    func lineAppearance() throws {
        let target = try #require(SIPLocationTarget(requestURI: try SIPURI(parsing: "sip:~~in~69&0000DEADBEEF@example.net")))
        #expect(target == .lineAppearance(try #require(SIPInstrumentID("0000DEADBEEF")), aor: "sip:69@example.net"))
        let found = service().contacts(for: target, now: now)
        #expect(found.count == 1 && found[0].aor == "sip:69@example.net" && found[0].instrument?.value == "0000DEADBEEF")
        let ampersand = try #require(SIPInstrumentTarget(userPart: "~~in~a&b&0000DEADBEEF"))
        #expect(ampersand.user == "a&b")
    }

    @Test("sip:user@domain is the AOR; expired bindings are never returned")
    func addressOfRecord() throws {
        let target = try #require(SIPLocationTarget(requestURI: try SIPURI(parsing: "sip:69@EXAMPLE.net;transport=tcp")))
        #expect(target == .addressOfRecord("sip:69@example.net"))
        #expect(service().contacts(for: target, now: now).count == 2)
        #expect(service().contacts(for: target, now: ManualClock.defaultStart.adding(seconds: 7_200)).isEmpty)
        #expect(SIPInstrumentTarget(userPart: "~~in~") == nil)
        #expect(SIPLocationTarget(requestURI: try SIPURI(parsing: "sip:example.net")) == nil)
    }
}

@Suite("Location service: the compact stored form gives back every field")
struct StoredBindingTests {
    @Test("Round trip with every field set, with nils and empty path, and with a multi-hop Path")
    func roundTrip() throws {
        let now = ManualClock.defaultStart
        let full = makeBinding(
            user: "69", index: 3, q: 500, instrument: "0000DEADBEEF", instance: "urn:uuid:00000000-0000-1000-8000-0000deadbeef",
            regID: 2, path: ["<sip:edge1.example.net;lr>", "<sip:edge2.example.net;lr>"], connectionID: 42,
            userAgent: "Yealink SIP-T54W 96.86.0.100")
        let bare = makeBinding(user: "70", index: 4, instrument: nil, path: [], userAgent: nil)
        let location = LocationService()
        location.load([full, bare])
        #expect(location.contacts(aor: full.aor, now: now) == [full])
        #expect(location.contacts(aor: bare.aor, now: now) == [bare])
        #expect(location.contacts(instance: "urn:uuid:00000000-0000-1000-8000-0000deadbeef", now: now) == [full])
        #expect(location.count == 2)
        location.apply([BindingChange(kind: .removed, binding: full)])
        #expect(location.contacts(instrument: try #require(SIPInstrumentID("0000DEADBEEF")), now: now).isEmpty)
        #expect(location.count == 1)
    }
}
