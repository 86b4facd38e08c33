import Logging
import SIPCore
import SIPRegistrar
import SIPStorage
import SIPTestSupport
import ServiceLifecycle
import Testing

/// The in-memory location index (by AOR, instrument, instance) and the restart restore / purge
/// of ``RegistrationExpiryService`` (RFC 3261 §10.3: a binding goes when its interval elapses).
@Suite("LocationService and RegistrationExpiryService")
struct LocationAndExpiryTests {
    static let now = ManualClock.defaultStart
    static let deskMAC = SIPInstrumentID("0000DEADBEEF")!
    static let otherMAC = SIPInstrumentID("0004F2AABBCC")!

    @Test("Indexed by AOR, instrument and instance; ordered by q; instrument+AOR narrows")
    func indexes() throws {
        let location = LocationService()
        let line69 = makeBinding(aor: "sip:69@example.net", contact: "sip:69@192.0.2.10", q: 500)
        let line69b = makeBinding(aor: "sip:69@example.net", contact: "sip:69@192.0.2.11", q: 900, instrument: "0004F2AABBCC")
        let line70 = makeBinding(
            aor: "sip:70@example.net", contact: "sip:70@192.0.2.10", instance: "urn:uuid:00000000-0000-1000-8000-0000DEADBEEF",
            regID: 1)
        location.apply([line69, line69b, line70].map { BindingChange(kind: .added, binding: $0) })

        #expect(location.contacts(aor: "sip:69@example.net", now: Self.now) == [line69b, line69])
        #expect(Set(location.contacts(instrument: Self.deskMAC, now: Self.now)) == [line69, line70])
        #expect(location.contacts(instrument: Self.deskMAC, aor: "sip:70@example.net", now: Self.now) == [line70])
        #expect(location.contacts(instrument: Self.otherMAC, now: Self.now) == [line69b])
        #expect(location.contacts(instance: "urn:uuid:00000000-0000-1000-8000-0000DEADBEEF", now: Self.now) == [line70])
        #expect(location.contacts(aor: "sip:71@example.net", now: Self.now).isEmpty)
        #expect(location.allContacts(now: Self.now).map(\.contact) == ["sip:69@192.0.2.11", "sip:69@192.0.2.10", "sip:70@192.0.2.10"])
        #expect(location.count == 3)
    }

    @Test("A refresh replaces the binding in every index, also when its key changes")
    func refreshReplaces() throws {
        let location = LocationService()
        let original = makeBinding(instrument: "0000DEADBEEF", instance: "urn:uuid:a", regID: 1)
        location.apply([BindingChange(kind: .added, binding: original)])

        var moved = original
        moved.instrument = Self.otherMAC
        moved.contact = "sip:69@198.51.100.1:40000"
        location.apply([BindingChange(kind: .refreshed, binding: moved, previous: original)])
        #expect(location.count == 1)
        #expect(location.contacts(instrument: Self.deskMAC, now: Self.now).isEmpty, "old instrument dropped")
        #expect(location.contacts(instrument: Self.otherMAC, now: Self.now) == [moved])
        #expect(location.contacts(instance: "urn:uuid:a", now: Self.now) == [moved])

        // A change of key (contact-keyed binding replaced by another key) drops the previous one.
        let plain = makeBinding(contact: "sip:69@192.0.2.50")
        location.apply([BindingChange(kind: .added, binding: plain)])
        let rekeyed = makeBinding(contact: "sip:69@192.0.2.51")
        location.apply([BindingChange(kind: .refreshed, binding: rekeyed, previous: plain)])
        #expect(Set(location.contacts(aor: "sip:69@example.net", now: Self.now).map(\.contact)) == [
            "sip:69@198.51.100.1:40000", "sip:69@192.0.2.51",
        ])
    }

    @Test("Removed and expired changes drop the binding from every index")
    func removal() throws {
        let location = LocationService()
        let a = makeBinding(contact: "sip:69@192.0.2.10", instance: "urn:uuid:a", regID: 1)
        let b = makeBinding(contact: "sip:69@192.0.2.11")
        location.apply([a, b].map { BindingChange(kind: .added, binding: $0) })
        location.apply([BindingChange(kind: .removed, binding: a), BindingChange(kind: .expired, binding: b)])
        #expect(location.count == 0)
        #expect(location.contacts(aor: "sip:69@example.net", now: Self.now).isEmpty)
        #expect(location.contacts(instrument: Self.deskMAC, now: Self.now).isEmpty)
        #expect(location.contacts(instance: "urn:uuid:a", now: Self.now).isEmpty)
    }

    @Test("Reads never return an expired binding, even before it is purged")
    func expiredFiltered() throws {
        let location = LocationService()
        let short = makeBinding(contact: "sip:69@192.0.2.10", expiresIn: 60)
        let long = makeBinding(contact: "sip:69@192.0.2.11", expiresIn: 3600)
        location.load([short, long])
        let later = Self.now.adding(seconds: 60)
        #expect(location.contacts(aor: "sip:69@example.net", now: later) == [long], "expiry is inclusive")
        #expect(location.contacts(instrument: Self.deskMAC, now: later) == [long])
        #expect(location.allContacts(now: later) == [long])
        #expect(location.count == 2, "still held until purged")
    }

    @Test("load replaces the whole content")
    func loadReplaces() throws {
        let location = LocationService()
        location.load([makeBinding(contact: "sip:69@192.0.2.10")])
        location.load([makeBinding(aor: "sip:70@example.net", contact: "sip:70@192.0.2.10")])
        #expect(location.count == 1)
        #expect(location.contacts(aor: "sip:69@example.net", now: Self.now).isEmpty)
        #expect(location.contacts(instrument: Self.deskMAC, now: Self.now).map(\.aor) == ["sip:70@example.net"])
    }

    @Test("Restart: restore loads only unexpired bindings; purge removes expired ones from store and location")
    func restoreAndPurge() async throws {
        let clock = ManualClock()
        let store = InMemoryLocationStore()
        let start = clock.now()
        let gone = makeBinding(contact: "sip:69@192.0.2.1", expiresIn: -5, at: start)
        let soon = makeBinding(contact: "sip:69@192.0.2.2", expiresIn: 120, at: start)
        let later = makeBinding(aor: "sip:70@example.net", contact: "sip:70@192.0.2.3", expiresIn: 3600, at: start)
        _ = try await store.apply([gone, soon, later].map(BindingUpdate.upsert))

        // A fresh process: empty location service, restored from the store.
        let location = LocationService()
        var logger = Logger(label: "expiry-tests")
        logger.logLevel = .critical
        let expiry = RegistrationExpiryService(
            store: store, location: location, interval: .seconds(30), logger: logger, clock: clock)
        try await expiry.restore()
        #expect(Set(location.allContacts(now: clock.now())) == [soon, later])
        #expect(location.count == 2)

        let feed = store.changes.subscribe()
        #expect(try await expiry.purge() == 1, "the binding that was already expired")
        clock.advance(by: .seconds(120))
        #expect(try await expiry.purge() == 1)
        #expect(location.count == 1)
        #expect(location.allContacts(now: clock.now()) == [later])
        #expect(try await store.unexpiredBindings(at: clock.now()) == [later])
        #expect(try await expiry.purge() == 0)

        var iterator = feed.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        let second = try #require(try await iterator.next())
        #expect([first.kind, second.kind] == [.expired, .expired])
        #expect([first.binding.contact, second.binding.contact] == ["sip:69@192.0.2.1", "sip:69@192.0.2.2"])
    }

    @Test("run() purges on its interval", .timeLimit(.minutes(1)))
    func runPurgesPeriodically() async throws {
        let store = InMemoryLocationStore()
        let location = LocationService()
        let now = ManualClock.defaultStart
        let expired = makeBinding(contact: "sip:69@192.0.2.1", expiresIn: -1, at: now)
        _ = try await store.apply([.upsert(expired)])
        location.load([expired])
        var logger = Logger(label: "expiry-tests")
        logger.logLevel = .critical
        let expiry = RegistrationExpiryService(
            store: store, location: location, interval: .milliseconds(20), logger: logger, clock: ManualClock(start: now))
        let task = Task { try await expiry.run() }
        // Polls with a deadline: the service's own interval is real time.
        let deadline = ContinuousClock.now + .seconds(10)
        while location.count > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        try await task.value
        #expect(location.count == 0)
        #expect(try await store.unexpiredBindings(at: now.adding(seconds: -10)).isEmpty)
    }

    @Test("Graceful shutdown ends run() at once, not after the purge interval", .timeLimit(.minutes(1)))
    func gracefulShutdownIsPrompt() async throws {
        var logger = Logger(label: "expiry-tests")
        logger.logLevel = .critical
        let expiry = RegistrationExpiryService(
            store: InMemoryLocationStore(), location: LocationService(), interval: .seconds(3600), logger: logger)
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let service = StartSignallingService(inner: expiry, started: signal)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for await _ in started { break }
            await group.triggerGracefulShutdown()
            // With the hour-long sleep not interrupted, the time limit would fail this test.
            try await tasks.waitForAll()
        }
    }

    @Test("Bindings registered through the registrar survive a restart of the registrar")
    func registrarRestart() async throws {
        let store = InMemoryLocationStore()
        var registered: [Binding] = []
        try await withRegistrar(store: store) { h in
            var desk = try SIPTestPhone()
            var soft = try SIPTestPhone(user: "70", authUser: "70/bria-7", host: "192.0.2.33")
            #expect(try await desk.register(h.registrar).statusCode == 200)
            #expect(try await soft.register(h.registrar, expires: 120).statusCode == 200)
            registered = try await h.stored()
        }
        let location = LocationService()
        var logger = Logger(label: "expiry-tests")
        logger.logLevel = .critical
        let now = ManualClock.defaultStart
        try await RegistrationExpiryService(
            store: store, location: location, interval: .seconds(30), logger: logger, clock: ManualClock(start: now)
        ).restore()
        #expect(registered.count == 2)
        #expect(Set(location.allContacts(now: now)) == Set(registered))
        #expect(location.contacts(instrument: SIPInstrumentID("BRIA-7")!, now: now).map(\.aor) == ["sip:70@example.net"])
    }
}

/// Runs a service after telling the test it is about to start.
struct StartSignallingService: Service {
    let inner: any Service
    let started: AsyncStream<Void>.Continuation
    func run() async throws {
        started.yield()
        try await inner.run()
    }
}
