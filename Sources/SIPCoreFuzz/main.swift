// libFuzzer harness for the SIPCore parser and stream framer.
// Built and run by sip-tests/fuzz.sh with -sanitize=fuzzer,address and -DFUZZING; without
// FUZZING it is an ordinary executable that parses the files named on its command line, which
// is how a crashing input is replayed.
import SIPCore
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    exercise(buffer)
    return 0
}

func exercise(_ buffer: UnsafeRawBufferPointer) {
    let parser = SIPMessageParser()
    let parsed: SIPMessage?
    do {
        parsed = try parser.parse(buffer)
    } catch {
        parsed = nil
        // An answerable error keeps a Via to route the answer, and the answer can be written.
        if let reply = error.replyHeaders {
            guard reply.fields.contains(where: { $0.name == .via }) else { fatalError("answerable without a Via") }
            _ = SIPResponse(answering: reply, statusCode: error.statusCode, reasonPhrase: error.reason, toTag: "f")
                .serialized()
        }
    }
    if let message = parsed {
        // Round trip: what we write must parse again, to an equal message.
        let bytes = message.serialized()
        guard let again = try? parser.parse(bytes) else { fatalError("serialized message does not parse") }
        guard again == message else { fatalError("round trip changed the message") }
        if case .request(let request) = message {
            _ = try? request.vias()
            _ = try? request.from
            _ = try? request.to
            _ = try? request.contacts()
            _ = try? request.authorizations()
            _ = try? request.event
            _ = try? request.routes()
            _ = request.uri.description
        }
    }
    var framer = SIPStreamFramer()
    var offset = 0
    var steps = 0
    while offset < buffer.count, steps < 10_000 {
        steps += 1
        switch framer.next(UnsafeRawBufferPointer(rebasing: buffer[offset...])) {
        case .needMoreData, .framingError: return
        case .keepAlive(let consumed, _), .message(_, let consumed), .invalidMessage(_, let consumed):
            guard consumed > 0 else { fatalError("framer made no progress") }
            offset += consumed
        }
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
for path in CommandLine.arguments.dropFirst() {
    guard let file = fopen(path, "rb") else { continue }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    fclose(file)
    bytes.withUnsafeBytes { exercise($0) }
    print("ok \(path) (\(bytes.count) bytes)")
}
#endif
