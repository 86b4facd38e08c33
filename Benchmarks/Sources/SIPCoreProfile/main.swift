// A plain release driver for profiling the parser under valgrind (callgrind counts instructions
// reliably on this machine; perf counters are not available here). Not a benchmark target.
//   swift build -c release --product SIPCoreProfile
//   valgrind --tool=callgrind .build/release/SIPCoreProfile register 10000
// Prints the instruction-count-friendly work done: N parses of one message kind.
import BenchmarkMessages
import SIPCore

let kind = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "register"
let count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 10_000 : 10_000
let parser = SIPMessageParser()
let message: [UInt8]
switch kind {
case "register", "registrar", "serialize": message = Messages.register
case "ok": message = Messages.registerOK
case "subscribe": message = Messages.subscribe
default: fatalError("unknown message kind \(kind): register | registrar | serialize | ok | subscribe")
}
var checksum = 0
let parsed = try parser.parse(message)
for _ in 0..<count {
    switch kind {
    case "serialize":
        checksum &+= parsed.serialized().count
    case "registrar":
        guard case .request(let request) = try parser.parse(message) else { fatalError("not a request") }
        checksum &+= try request.topVia.host.utf8.count
        checksum &+= try request.from.uri.host.utf8.count
        checksum &+= try request.to.uri.host.utf8.count
        checksum &+= request.callID?.utf8.count ?? 0
        checksum &+= Int(try request.cseq.sequence)
        if case .contacts(let list) = try request.contacts() { checksum &+= list.count }
        checksum &+= try request.authorizations().count
    default:
        checksum &+= try parser.parse(message).headers.count
    }
}
print("\(kind): \(count) iterations, checksum \(checksum)")
