import Logging
import NIOCore
import SIPCore
import SIPTestSupport
import Synchronization
import Testing

@testable import SIPTransport

/// Collects received messages synchronously (EmbeddedChannel tests).
final class CollectingReceiver: SIPMessageReceiver {
    let messages = Mutex<[SIPIncomingMessage]>([])
    func receive(_ incoming: SIPIncomingMessage) { messages.withLock { $0.append(incoming) } }
    var all: [SIPIncomingMessage] { messages.withLock { $0 } }
}

/// Hands received messages to awaiting tests, in order (integration tests). `next` returns nil
/// when the waiting task is cancelled (e.g. by a test time limit), so no test can hang on it.
final class StreamingReceiver: SIPMessageReceiver {
    private struct State {
        var buffer: [SIPIncomingMessage] = []
        var waiter: CheckedContinuation<SIPIncomingMessage?, Never>?
    }
    private let state = Mutex(State())

    func receive(_ incoming: SIPIncomingMessage) {
        let waiter = state.withLock { state -> CheckedContinuation<SIPIncomingMessage?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(incoming)
            return nil
        }
        waiter?.resume(returning: incoming)
    }

    func next() async -> SIPIncomingMessage? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> SIPIncomingMessage?? in
                    if !state.buffer.isEmpty { return .some(state.buffer.removeFirst()) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The next received request, skipping responses.
    func nextRequest() async -> SIPIncomingMessage? {
        while let message = await next() {
            if case .request = message.message { return message }
        }
        return nil
    }
}

enum Fixtures {
    /// An OPTIONS to this host from a phone at 10.0.0.1, as wire text.
    static func options(
        via: String = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport", callID: String = "a84b4c76e66710",
        body: String = "", uri: String = "sip:127.0.0.1"
    ) -> String {
        SIPTestRequest.options(uri: uri, via: via, callID: callID, body: body).text
    }

    static func parse(_ text: String) throws -> SIPMessage {
        try SIPMessageParser().parse(Array(text.utf8), framing: .datagram)
    }

    static func request(_ text: String) throws -> SIPRequest {
        guard case .request(let request) = try parse(text) else { throw SIPTransportError(.unroutable, "not a request") }
        return request
    }

    static let logger = Logger(label: "sip-transport-tests")

    static func context(_ receiver: any SIPMessageReceiver) -> SIPTransportHandlerContext {
        SIPTransportHandlerContext(receiver: receiver, logger: logger)
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

/// Runs a transport with `configuration` that answers every request 200 (``AnsweringReceiver``)
/// while `body` runs with the address of its first listener; stops it after.
func withAnsweringTransport(
    _ configuration: SIPTransportConfiguration, _ body: (SIPTransportService, SocketAddress) async throws -> Void
) async throws {
    let service = SIPTransportService(configuration: configuration, logger: Fixtures.logger)
    service.setReceiver(AnsweringReceiver(sender: service))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await service.run() }
        defer { group.cancelAll() }
        let server = try #require(try await service.waitUntilStarted().listeners.first).address
        try await body(service, server)
    }
}
