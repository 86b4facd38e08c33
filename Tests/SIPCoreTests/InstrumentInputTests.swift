import SIPCore
import Testing

@Suite("Instrument ids typed by an operator")
struct InstrumentInputTests {
    @Test("MACs in any spelling and soft-phone tokens are accepted", arguments: [
        ("0000deadbeef", "0000DEADBEEF"), ("00:00:DE:AD:BE:EF", "0000DEADBEEF"), ("0000-dead-beef", "0000DEADBEEF"),
        ("Bria-7", "Bria-7"), ("softphone_1", "softphone_1"),
    ])
    func accepted(_ text: String, _ canonical: String) {
        #expect(SIPInstrumentID.operatorInputProblem(text) == nil)
        #expect(SIPInstrumentID(operatorInput: text)?.value == canonical)
    }

    @Test("What is meant as a MAC but is not one is refused with the reason", arguments: [
        ("zz:zz:zz", "not hex digits"), ("0000DEADBEE", "11 hex digits"), ("00:00:de:ad:be:ef:00", "14 hex digits"),
        ("0000:deadbeef", "equal groups"), ("", "empty"), ("a b", "not an instrument id"),
    ])
    func refused(_ text: String, _ reason: String) {
        let problem = SIPInstrumentID.operatorInputProblem(text)
        #expect(problem?.contains(reason) == true, "\(text): \(problem ?? "accepted")")
        #expect(SIPInstrumentID(operatorInput: text) == nil)
    }
}
