import SIPCore
import SIPStorage
import Testing

/// The pure edits every ProvisioningStore applies: numbering, versions, validation.
@Suite struct ProvisionedInstrumentTests {
    let mac = SIPInstrumentID("00:00:de:ad:be:ef")!
    let t0 = SIPTimestamp(secondsSince1970: 1_000)
    let t1 = SIPTimestamp(secondsSince1970: 2_000)

    @Test func linesAreNumberedInOrderAndAuthenticateAsUserSlashMAC() throws {
        let instrument = try ProvisionedInstrument(
            InstrumentDefinition(
                id: mac, vendor: "yealink",
                lines: [LineDefinition(user: "69", domain: "example.net"), LineDefinition(user: "70", domain: "example.net")]),
            now: t0)
        #expect(instrument.lines.map(\.index) == [1, 2])
        #expect(instrument.lines.map { $0.authUsername(on: instrument.id) } == ["69/0000DEADBEEF", "70/0000DEADBEEF"])
        #expect(instrument.lines.first?.addressOfRecord == "sip:69@example.net")
        #expect(instrument.configurationVersion == 1)
    }

    @Test func everyEditBumpsTheVersionAndRemovalToo() throws {
        let instrument = try ProvisionedInstrument(InstrumentDefinition(id: mac, vendor: "snom"), now: t0)
        let one = try instrument.adding(LineDefinition(user: "69", domain: "example.net"), now: t1)
        #expect(one.configurationVersion == 2 && one.updated == t1 && one.created == t0)
        let none = try one.removingLine(index: 1, now: t1)
        #expect(none.configurationVersion == 3 && none.lines.isEmpty)
        #expect(none.removed(now: t1).configurationVersion == 4)
        #expect(instrument.configurationVersion == 1, "edits return copies")
    }

    @Test func validation() throws {
        #expect(throws: StorageError.invalidInstrument("bria-7", reason: "not a MAC address (12 hex digits)")) {
            try ProvisionedInstrument(InstrumentDefinition(id: SIPInstrumentID("bria-7")!, vendor: "yealink"), now: t0)
        }
        #expect(throws: StorageError.self) { try ProvisionedInstrument(InstrumentDefinition(id: mac, vendor: "ye alink"), now: t0) }
        #expect(throws: StorageError.self) {
            try ProvisionedInstrument(InstrumentDefinition(id: mac, vendor: "yealink", model: "T5\u{1}"), now: t0)
        }
        #expect(throws: StorageError.self) {
            try ProvisionedInstrument(
                InstrumentDefinition(id: mac, vendor: "yealink", lines: [LineDefinition(user: "69", domain: "example.net", index: 65)]),
                now: t0)
        }
        let full = (1...ProvisionedInstrument.maxLines).map { LineDefinition(user: "u\($0)", domain: "example.net") }
        let instrument = try ProvisionedInstrument(InstrumentDefinition(id: mac, vendor: "yealink", lines: full), now: t0)
        #expect(throws: StorageError.invalidInstrument("0000DEADBEEF", reason: "more than 64 lines")) {
            try instrument.adding(LineDefinition(user: "extra", domain: "example.net"), now: t1)
        }
    }

    @Test func theLineIndexAnswersForCommittedLinesOnly() throws {
        let index = ProvisionedLineIndex()
        let instrument = try ProvisionedInstrument(
            InstrumentDefinition(id: mac, vendor: "yealink", lines: [LineDefinition(user: "69", domain: "example.net")]), now: t0)
        #expect(!index.isProvisioned(user: "69", domain: "example.net", instrument: mac))
        index.replace(mac, with: instrument)
        #expect(index.isProvisioned(user: "69", domain: "Example.Net", instrument: SIPInstrumentID("0000deadbeef")!))
        #expect(!index.isProvisioned(user: "69", domain: "example.net", instrument: SIPInstrumentID("0000DEADBEE0")!))
        index.replace(mac, with: nil)
        #expect(!index.isProvisioned(user: "69", domain: "example.net", instrument: mac))
    }
}
