import Foundation
import SIPCore
import SIPStorage
import SIPStorageSQLite
import Testing

/// The ProvisioningStore contract, written once and run against every backend.
@Suite struct ProvisioningStoreBehaviourTests {
    let mac = SIPInstrumentID("0000DEADBEEF")!
    let t1 = SIPTimestamp(secondsSince1970: 2_000)

    func phone(_ users: [String] = ["69", "70"]) -> InstrumentDefinition {
        InstrumentDefinition(
            id: mac, vendor: "Yealink", model: "T54W", label: "desk 4.12",
            lines: users.map { LineDefinition(user: $0, domain: "Example.NET") })
    }

    @Test(arguments: Backend.allCases)
    func addShowListChangeRemove(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.provisioning
        let added = try await store.addInstrument(phone(), now: t0)
        #expect(added.vendor == "yealink")
        #expect(added.lines == [
            LineAppearance(index: 1, user: "69", domain: "example.net"), LineAppearance(index: 2, user: "70", domain: "example.net"),
        ])
        #expect(added.configurationVersion == 1)
        #expect(try await store.instrument(mac) == added)
        try await store.addInstrument(InstrumentDefinition(id: SIPInstrumentID("00-04-f2-00-e0-6b")!, vendor: "polycom"), now: t0)
        #expect(try await store.instruments().map(\.id.value) == ["0000DEADBEEF", "0004F200E06B"])

        let withLine = try await store.addLine(LineDefinition(user: "71", domain: "example.net", displayName: "Reception", index: 5), to: mac, now: t1)
        #expect(withLine.configurationVersion == 2)
        #expect(withLine.updated == t1 && withLine.created == t0)
        #expect(withLine.lines.map(\.index) == [1, 2, 5])
        let filled = try await store.addLine(LineDefinition(user: "72", domain: "example.net"), to: mac, now: t1)
        #expect(filled.lines.map(\.index) == [1, 2, 3, 5])
        let removed = try await store.removeLine(index: 1, from: mac, now: t1)
        #expect(removed.configurationVersion == 4)
        #expect(removed.lines.map(\.user) == ["70", "72", "71"])
        #expect(try await store.instrument(mac) == removed)

        try await store.removeInstrument(mac, now: t1)
        #expect(try await store.instrument(mac) == nil)
        #expect(try await store.instruments().count == 1)
    }

    @Test(arguments: Backend.allCases)
    func typedErrors(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.provisioning
        try await store.addInstrument(phone(), now: t0)
        await #expect(throws: StorageError.instrumentExists("0000DEADBEEF")) { try await store.addInstrument(phone([]), now: t0) }
        let other = SIPInstrumentID("0000DEADBEE0")!
        await #expect(throws: StorageError.instrumentNotFound("0000DEADBEE0")) { try await store.removeInstrument(other, now: t0) }
        await #expect(throws: StorageError.instrumentNotFound("0000DEADBEE0")) {
            try await store.addLine(LineDefinition(user: "71", domain: "example.net"), to: other, now: t0)
        }
        await #expect(throws: StorageError.lineNotFound(instrument: "0000DEADBEEF", index: 9)) {
            try await store.removeLine(index: 9, from: mac, now: t0)
        }
        await #expect(throws: StorageError.self) { try await store.addLine(LineDefinition(user: "69", domain: "example.net"), to: mac, now: t0) }
        await #expect(throws: StorageError.self) {
            try await store.addLine(LineDefinition(user: "71", domain: "example.net", index: 2), to: mac, now: t0)
        }
        await #expect(throws: StorageError.reservedUserName("~~in~x")) {
            try await store.addLine(LineDefinition(user: "~~in~x", domain: "example.net"), to: mac, now: t0)
        }
        await #expect(throws: StorageError.self) {
            try await store.addInstrument(InstrumentDefinition(id: SIPInstrumentID("bria-7")!, vendor: "yealink"), now: t0)
        }
        // A failed change leaves the instrument as it was.
        #expect(try await store.instrument(mac)?.configurationVersion == 1)
    }

    @Test("Every committed change is published with its bumped version, and the line index follows", arguments: Backend.allCases)
    func changeFeedAndLineIndex(_ backend: Backend) async throws {
        let stores = try backend.make()
        defer { stores.cleanup() }
        let store = stores.provisioning
        let subscription = store.provisioningChanges.subscribe()
        try await store.addInstrument(phone(["69"]), now: t0)
        #expect(store.provisionedLines.isProvisioned(user: "69", domain: "EXAMPLE.net", instrument: mac))
        #expect(!store.provisionedLines.isProvisioned(user: "70", domain: "example.net", instrument: mac))
        try await store.addLine(LineDefinition(user: "70", domain: "example.net"), to: mac, now: t1)
        #expect(store.provisionedLines.isProvisioned(user: "70", domain: "example.net", instrument: mac))
        await #expect(throws: StorageError.self) { try await store.removeLine(index: 7, from: mac, now: t1) }
        try await store.removeLine(index: 1, from: mac, now: t1)
        #expect(!store.provisionedLines.isProvisioned(user: "69", domain: "example.net", instrument: mac))
        try await store.removeInstrument(mac, now: t1)
        #expect(!store.provisionedLines.isProvisioned(user: "70", domain: "example.net", instrument: mac))

        var received: [ProvisioningChange] = []
        for try await change in subscription {
            received.append(change)
            if received.count == 4 { break }
        }
        #expect(received.map(\.kind) == [.added, .updated, .updated, .removed])
        #expect(received.map(\.instrument.configurationVersion) == [1, 2, 3, 4])
        #expect(received.last?.instrument.lines.map(\.user) == ["70"])
    }
}

@Suite struct SQLiteProvisioningTests {
    @Test("Instruments survive a reopen, and the line index is rebuilt from the database")
    func persistsAcrossReopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mac = SIPInstrumentID("0000DEADBEEF")!
        do {
            let store = try SQLiteStore(configuration: .init(dataDirectory: directory))
            try await store.addInstrument(
                InstrumentDefinition(
                    id: mac, vendor: "snom", model: "D785",
                    lines: [LineDefinition(user: "69", domain: "example.net", displayName: "Front desk")]),
                now: t0)
            try await store.addLine(LineDefinition(user: "70", domain: "example.net"), to: mac, now: t0)
            try store.close()
        }
        let reopened = try SQLiteStore(configuration: .init(dataDirectory: directory))
        defer { try? reopened.close() }
        let instrument = try #require(try await reopened.instrument(mac))
        #expect(instrument.model == "D785")
        #expect(instrument.configurationVersion == 2)
        #expect(instrument.lines.first?.displayName == "Front desk")
        #expect(reopened.provisionedLines.isProvisioned(user: "70", domain: "example.net", instrument: mac))
    }
}
