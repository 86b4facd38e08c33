import SIPCore
import SIPStorage
import SIPTestSupport
import SIPTransport
import Synchronization
import Testing

@testable import SIPRegistrar

/// A location store whose next `apply` (once armed) waits until the test releases it, so a test
/// can hold one REGISTER in its commit while others queue — ordering without timing.
final class GatedLocationStore: LocationStore {
    private struct State {
        var armed = false
        var gate: CheckedContinuation<Void, Never>?
    }

    let inner = InMemoryLocationStore()
    private let state = Mutex(State())

    var changes: BindingChangeFeed { inner.changes }

    /// Makes the next `apply` wait for ``release()``.
    func arm() { state.withLock { $0.armed = true } }
    /// True while an `apply` is held.
    var isHolding: Bool { state.withLock { $0.gate != nil } }
    func release() { state.withLock { $0.gate.take() }?.resume() }

    func apply(_ updates: [BindingUpdate]) async throws(StorageError) -> [BindingChange?] {
        let gated = state.withLock { state in
            defer { state.armed = false }
            return state.armed
        }
        if gated {
            await withCheckedContinuation { continuation in state.withLock { $0.gate = continuation } }
        }
        return try await inner.apply(updates)
    }

    func unexpiredBindings(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await inner.unexpiredBindings(at: now)
    }
    func bindings(aor: String, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await inner.bindings(aor: aor, at: now)
    }
    func bindings(instrument: SIPInstrumentID, at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await inner.bindings(instrument: instrument, at: now)
    }
    func purgeExpired(at now: SIPTimestamp) async throws(StorageError) -> [Binding] {
        try await inner.purgeExpired(at: now)
    }
}

/// Records who entered a critical section, in order, and how many were inside at once.
final class Recorder: Sendable {
    private struct State {
        var order: [Int] = []
        var inside = 0
        var most = 0
    }

    private let state = Mutex(State())

    func enter(_ index: Int) {
        state.withLock {
            $0.order.append(index)
            $0.inside += 1
            $0.most = max($0.most, $0.inside)
        }
    }

    func leave() { state.withLock { $0.inside -= 1 } }
    var order: [Int] { state.withLock { $0.order } }
    var mostInside: Int { state.withLock { $0.most } }
}

/// REGISTERs of one AOR are processed one at a time, in arrival order (RFC 3261 §10.3 steps
/// 6–8 read, check and write the AOR's bindings); different AORs proceed in parallel.
@Suite("Registrar: per-AOR serialization", .timeLimit(.minutes(1)))
struct SerializationTests {
    static let aor = "sip:69@example.net"

    @Test("AORSerializer: one holder at a time, waiters run in arrival order, other AORs not blocked")
    func serializerIsFIFOAndExclusive() async throws {
        let serializer = AORSerializer()
        let recorder = Recorder()
        let held = Mutex<(@Sendable () -> Void)?>(nil)
        serializer.run("a") { release in held.withLock { $0 = release } }
        #expect(serializer.isHeld("a"))
        for index in 1...5 {
            serializer.run("a") { release in
                recorder.enter(index)
                recorder.leave()
                release()
            }
            #expect(serializer.waiterCount(for: "a") == index)
        }
        // Another AOR goes through while "a" is held.
        let other = Mutex(false)
        serializer.run("b") { release in
            other.withLock { $0 = true }
            release()
        }
        #expect(other.withLock { $0 })
        #expect(recorder.order.isEmpty, "nobody entered a while it was held")
        let release = try #require(held.withLock { $0 })
        release()
        release()  // a second release is ignored
        #expect(recorder.order == [1, 2, 3, 4, 5])
        #expect(recorder.mostInside == 1)
        #expect(!serializer.isHeld("a") && serializer.waiterCount(for: "a") == 0)
    }

    @Test("REGISTERs of one AOR with increasing CSeq, queued behind a commit, all succeed in order")
    func queuedRefreshesAllSucceed() async throws {
        let gated = GatedLocationStore()
        try await withRegistrar(store: gated) { h in
            let (phone, challenge) = try await Self.challengedPhone(h)
            let registrar = h.registrar
            let source = phone.source
            let requests = try (2...5).map { cseq in
                try phone.request(
                    cseq: UInt32(cseq), expires: UInt32(600 + cseq),
                    authorization: phone.authorization(challenge, nonceCount: cseq - 1))
            }
            gated.arm()
            let statuses = await withTaskGroup(of: (Int, Int).self) { group in
                group.addTask { (2, await registrar.handleRegister(requests[0], source: source).statusCode) }
                await waitUntil("CSeq 2 is being committed") { gated.isHolding }
                for index in 1..<requests.count {
                    let request = requests[index]
                    group.addTask { (index + 2, await registrar.handleRegister(request, source: source).statusCode) }
                    await waitUntil("CSeq \(index + 2) queued") {
                        registrar.serializer.waiterCount(for: Self.aor) == index
                    }
                }
                gated.release()
                var statuses: [Int: Int] = [:]
                for await (cseq, status) in group { statuses[cseq] = status }
                return statuses
            }
            #expect(statuses == [2: 200, 3: 200, 4: 200, 5: 200])
            let binding = try await h.onlyBinding()
            #expect(binding.cseq == 5)
            #expect(binding.expiresAt == h.now.adding(seconds: 605))
            try await h.expectConsistent()
        }
    }

    @Test("A lower CSeq queued behind a higher one is refused instead of overwriting it")
    func noLostUpdate() async throws {
        let gated = GatedLocationStore()
        try await withRegistrar(store: gated) { h in
            let (phone, challenge) = try await Self.challengedPhone(h)
            let registrar = h.registrar
            let source = phone.source
            let newer = try phone.request(
                cseq: 5, expires: 900, authorization: phone.authorization(challenge, nonceCount: 1))
            let older = try phone.request(
                cseq: 3, expires: 300, authorization: phone.authorization(challenge, nonceCount: 2))
            gated.arm()
            let statuses = await withTaskGroup(of: (UInt32, Int).self) { group in
                group.addTask { (5, await registrar.handleRegister(newer, source: source).statusCode) }
                await waitUntil("CSeq 5 is being committed") { gated.isHolding }
                group.addTask { (3, await registrar.handleRegister(older, source: source).statusCode) }
                await waitUntil("CSeq 3 queued") { registrar.serializer.waiterCount(for: Self.aor) == 1 }
                gated.release()
                var statuses: [UInt32: Int] = [:]
                for await (cseq, status) in group { statuses[cseq] = status }
                return statuses
            }
            #expect(statuses == [5: 200, 3: 400])
            let binding = try await h.onlyBinding()
            #expect(binding.cseq == 5)
            #expect(binding.expiresAt == h.now.adding(seconds: 900))
        }
    }

    @Test("Many concurrent REGISTERs over several AORs all succeed and leave store and location equal")
    func concurrentLoad() async throws {
        try await withRegistrar { h in
            let registrar = h.registrar
            var work: [(SIPRequest, SIPSource)] = []
            let perAOR = 8
            for user in TestUsers.passwords.keys.sorted() {
                let (phone, challenge) = try await Self.challengedPhone(h, user: user)
                for index in 1...perAOR {
                    let request = try phone.request(
                        cseq: UInt32(index + 1), contacts: ["<sip:\(user)@192.0.2.10:\(6000 + index)>"],
                        authorization: phone.authorization(challenge, nonceCount: index))
                    work.append((request, phone.source))
                }
            }
            let all = work
            let statuses = await withTaskGroup(of: Int.self) { group in
                for (request, source) in all {
                    group.addTask { await registrar.handleRegister(request, source: source).statusCode }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == all.count)
            #expect(statuses.allSatisfy { $0 == 200 })
            for user in TestUsers.passwords.keys {
                let bindings = h.location.contacts(aor: "sip:\(user)@example.net", now: h.now)
                #expect(bindings.count == perAOR)
                #expect(bindings.allSatisfy { Int($0.cseq) == Int($0.contact.split(separator: ":").last!)! - 6000 + 1 })
            }
            try await h.expectConsistent()
            #expect(h.writer.statistics.updates == all.count)
        }
    }

    /// A phone that has been challenged once (CSeq 1), and the challenge it will answer.
    static func challengedPhone(_ h: RegistrarHarness, user: String = "69") async throws -> (SIPTestPhone, SIPAuthHeader) {
        var phone = try SIPTestPhone(user: user)
        let first = await h.registrar.handleRegister(try phone.request(cseq: 1), source: phone.source)
        #expect(first.statusCode == 401)
        phone.cseq = 1
        let challenge = try phone.pickChallenge(first)
        phone.challenge = challenge
        return (phone, challenge)
    }
}
