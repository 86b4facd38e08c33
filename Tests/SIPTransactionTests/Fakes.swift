import SIPCore
import SIPTransaction
import SIPTransport
import Synchronization

struct SendFailure: Error {}

/// Records every message "sent", synchronously (a `SIPImmediateMessageSender`); can be told to
/// fail. The async methods also record, for the stateless paths.
final class FakeSender: SIPImmediateMessageSender, Sendable {
    enum Sent: Sendable, Equatable {
        case request(SIPRequest, SIPDestination)
        case response(SIPResponse, SIPSource)
    }

    private let state = Mutex<(sent: [Sent], failing: Bool)>(([], false))

    var sent: [Sent] { state.withLock { $0.sent } }
    var sentStatuses: [Int] {
        sent.compactMap { if case .response(let r, _) = $0 { r.statusCode } else { nil } }
    }
    var sentMethods: [SIPMethod] {
        sent.compactMap { if case .request(let r, _) = $0 { r.method } else { nil } }
    }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    func clear() { state.withLock { $0.sent.removeAll() } }

    func sendImmediately(
        _ message: SIPMessage, to destination: SIPDestination, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let failing = state.withLock { s in
            if !s.failing, case .request(let r) = message { s.sent.append(.request(r, destination)) }
            return s.failing
        }
        if failing { onFailure(SendFailure()) }
    }

    func sendResponseImmediately(
        _ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let failing = state.withLock { s in
            if !s.failing { s.sent.append(.response(response, source)) }
            return s.failing
        }
        if failing { onFailure(SendFailure()) }
    }

    func send(_ message: SIPMessage, to destination: SIPDestination) async throws {
        sendImmediately(message, to: destination) { _ in }
    }

    func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws {
        sendResponseImmediately(response, to: source) { _ in }
    }
}

/// A plain async sender that publishes each send on a stream, so tests await it without sleeping.
final class StreamingSender: SIPMessageSender, Sendable {
    let messages: AsyncStream<SIPMessage>
    private let continuation: AsyncStream<SIPMessage>.Continuation
    private let failing: Bool

    init(failing: Bool = false) {
        (messages, continuation) = AsyncStream.makeStream()
        self.failing = failing
    }

    func send(_ message: SIPMessage, to destination: SIPDestination) async throws {
        continuation.yield(message)
        if failing { throw SendFailure() }
    }

    func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws {
        continuation.yield(.response(response))
        if failing { throw SendFailure() }
    }
}

/// A TU that records what it is told and can answer new requests at once.
final class RecordingUser: SIPTransactionUser, Sendable {
    struct Record: Sendable {
        var requests: [SIPServerTransactionHandle] = []
        var acks: [SIPRequest] = []
        var strayResponses: [SIPResponse] = []
        var failures: [(SIPServerTransactionHandle, SIPTransactionFailure)] = []
    }

    private let record = Mutex(Record())
    /// When set, every new request (but CANCEL) is answered at once with this status.
    let autoAnswer: Int?

    init(autoAnswer: Int? = nil) { self.autoAnswer = autoAnswer }

    var requests: [SIPServerTransactionHandle] { record.withLock { $0.requests } }
    var acks: [SIPRequest] { record.withLock { $0.acks } }
    var strayResponses: [SIPResponse] { record.withLock { $0.strayResponses } }
    var failures: [SIPTransactionFailure] { record.withLock { $0.failures.map(\.1) } }

    func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle) {
        record.withLock { $0.requests.append(transaction) }
        if let autoAnswer { try? transaction.respond(statusCode: autoAnswer, toTag: "auto") }
    }

    func handleACK(_ ack: SIPRequest, source: SIPSource) {
        record.withLock { $0.acks.append(ack) }
    }

    func handleStrayResponse(_ response: SIPResponse, source: SIPSource) {
        record.withLock { $0.strayResponses.append(response) }
    }

    func serverTransactionFailed(_ transaction: SIPServerTransactionHandle, reason: SIPTransactionFailure) {
        record.withLock { $0.failures.append((transaction, reason)) }
    }
}

/// Collects client transaction events.
final class EventRecorder: Sendable {
    private let events = Mutex<[SIPClientTransactionEvent]>([])
    var all: [SIPClientTransactionEvent] { events.withLock { $0 } }
    var statuses: [Int] { all.compactMap { if case .response(let r) = $0 { r.statusCode } else { nil } } }
    var callback: @Sendable (SIPClientTransactionEvent) -> Void {
        { [self] event in events.withLock { $0.append(event) } }
    }
}
