public import SIPCore

/// A non-INVITE server transaction in Completed state (RFC 3261 §17.2.2, figure 8), kept in the
/// smallest form that still does the state's job: every retransmission of the request is
/// answered with the final response, further TU responses are discarded, and Timer J ends it.
///
/// The final response is kept as its wire bytes (one array, no reference to the request it
/// answered) and parsed again only when a retransmission asks for it.
public struct CompletedServerTransaction: Sendable {
    /// The final response sent, serialized.
    public let responseBytes: [UInt8]

    public init(response: SIPResponse) {
        responseBytes = response.serialized()
    }

    /// The final response again.
    public var response: SIPResponse? {
        guard case .response(let response)? = try? SIPMessageParser().parse(responseBytes, framing: .datagram) else {
            return nil
        }
        return response
    }

    /// A retransmission of the request: the final response again.
    public func receiveRequest() -> [SIPTransactionAction] { response.map { [.send(.response($0))] } ?? [] }

    /// Timer J: the transaction ends.
    public func timerFired(_ timer: SIPTransactionTimer) -> [SIPTransactionAction] {
        timer == .j ? [.terminate] : []
    }

    /// The transport failed to resend the response (§17.2.4).
    public func transportError() -> [SIPTransactionAction] { [.transportError, .terminate] }
}
