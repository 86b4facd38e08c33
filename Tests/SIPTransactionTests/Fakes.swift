import SIPCore
import SIPTransaction
import SIPTestSupport
import SIPTransport
import Synchronization

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
