public import SIPCore
import Synchronization

/// The messages a ``SIPTestClient`` received, in order. Reads poll with a deadline, so a test
/// waiting for an answer that never comes fails instead of hanging.
public final class Inbox: Sendable {
    private let messages = Mutex<[SIPMessage]>([])
    private let unparsable = Mutex<[[UInt8]]>([])

    public init() {}

    public func deliver(_ message: SIPMessage) { messages.withLock { $0.append(message) } }
    /// Records a message that did not parse, with its bytes.
    public func reject(_ bytes: [UInt8] = []) { unparsable.withLock { $0.append(bytes) } }

    /// Messages received and not yet read.
    public var count: Int { messages.withLock { $0.count } }
    /// Datagrams or stream messages that did not parse.
    public var unparsableCount: Int { unparsable.withLock { $0.count } }

    /// The next message that did not parse with our own parser (say, a 400 answering a request
    /// without Call-ID carries none either), as text, waiting up to `seconds`.
    public func nextUnparsable(within seconds: Double = 5) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let bytes = unparsable.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                return String(decoding: bytes, as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimedOut(what: "an unparsable message")
    }

    /// The next message, waiting up to `seconds`.
    public func next(within seconds: Double = 5) async throws -> SIPMessage {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let message = messages.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return message }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimedOut(what: "a SIP message")
    }

    /// The next response, skipping provisional ones (RFC 3261 §8.1.3.1).
    public func nextFinalResponse(within seconds: Double = 5) async throws -> SIPResponse {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let left = deadline - ContinuousClock.now
            let message = try await next(
                within: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            if let response = message.response, response.isFinal { return response }
        }
    }
}
