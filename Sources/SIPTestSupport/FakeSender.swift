public import SIPCore
public import SIPTransport
import Synchronization

/// A send that a ``FakeSender`` was told to fail.
public struct SendFailure: Error {
    public init() {}
}

/// Records every message "sent", synchronously (a `SIPImmediateMessageSender`); can be told to
/// fail. The async methods also record, for the stateless paths.
public final class FakeSender: SIPImmediateMessageSender, Sendable {
    public enum Sent: Sendable, Equatable {
        case request(SIPRequest, SIPDestination)
        case response(SIPResponse, SIPSource)
    }

    public init() {}

    private let state = Mutex<(sent: [Sent], failing: Bool)>(([], false))

    public var sent: [Sent] { state.withLock { $0.sent } }
    public var sentStatuses: [Int] {
        sent.compactMap { if case .response(let r, _) = $0 { r.statusCode } else { nil } }
    }
    public var sentMethods: [SIPMethod] {
        sent.compactMap { if case .request(let r, _) = $0 { r.method } else { nil } }
    }
    public func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    public func clear() { state.withLock { $0.sent.removeAll() } }

    public func sendImmediately(
        _ message: SIPMessage, to destination: SIPDestination, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let failing = state.withLock { s in
            if !s.failing, case .request(let r) = message { s.sent.append(.request(r, destination)) }
            return s.failing
        }
        if failing { onFailure(SendFailure()) }
    }

    public func sendResponseImmediately(
        _ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let failing = state.withLock { s in
            if !s.failing { s.sent.append(.response(response, source)) }
            return s.failing
        }
        if failing { onFailure(SendFailure()) }
    }

    public func send(_ message: SIPMessage, to destination: SIPDestination) async throws {
        sendImmediately(message, to: destination) { _ in }
    }

    public func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws {
        sendResponseImmediately(response, to: source) { _ in }
    }
}

