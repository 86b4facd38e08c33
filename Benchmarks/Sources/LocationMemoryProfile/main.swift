// Resident memory of the in-memory location index per binding (issue 7: ≤ 1 KB steady).
//   swift build -c release --product LocationMemoryProfile && .build/release/LocationMemoryProfile 100000
// Bindings look like the SIPp benchmark's (user@example.net, contact on 127.0.0.1, SIPp Call-IDs)
// and like desk phones' (instrument from user/MAC, +sip.instance, reg-id, TCP flow) with --phones.
import Foundation
import SIPCore
import SIPStorage

func residentKB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let phones = CommandLine.arguments.contains("--phones")
let now = SIPTimestamp.now()
let before = residentKB()
var bindings: [Binding] = []
bindings.reserveCapacity(count)
for i in 0..<count {
    let user = 1000 + i
    let mac = String(format: "0004F2%06X", i)
    bindings.append(
        Binding(
            aor: "sip:\(user)@example.net", contact: phones ? "sip:\(user)@10.1.\(i / 250 % 250).\(i % 250):5060;transport=tcp" : "sip:\(user)@127.0.0.1:35070",
            expiresAt: now.adding(seconds: 3600), callID: phones ? "\(UUID().uuidString)@10.1.2.3" : "\(i)-21133@127.0.0.1", cseq: 2,
            instrument: phones ? SIPInstrumentID(mac) : nil,
            instance: phones ? "urn:uuid:00000000-0000-1000-8000-\(mac)" : nil, regID: phones ? 1 : nil,
            source: phones ? "10.1.2.3:\(40000 + i % 20000)" : "127.0.0.1:35080", transport: phones ? "tcp" : "udp",
            connectionID: phones ? UInt64(i) : nil, localListener: "127.0.0.1:35060",
            userAgent: phones ? "Yealink SIP-T54W 96.86.0.100" : "sipp-bench", registeredAt: now, updatedAt: now))
}
let location = LocationService()
location.load(bindings)
bindings = []
typealias MallocTrim = @convention(c) (Int) -> Int32
if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
let after = residentKB()
print("\(count) bindings\(phones ? " (desk phones)" : " (SIPp)"): index \(after - before) KB, \(String(format: "%.0f", Double((after - before) * 1024) / Double(count))) B per binding (\(location.count) held)")
