public import SIPCore

/// An optional refinement of `SIPMessageSender` that starts a send without suspending, for
/// example by writing to a NIO channel and reporting the write's failure later.
///
/// When the sender given to the transaction layer conforms, the layer sends through these
/// methods directly from the thread that produced the message, in order, with no `Task` per
/// message. Otherwise it spawns one `Task` per event that sends, calling the `async` methods.
/// ``SIPTransportService`` conforms: a response on a known path is written to its channel at
/// once.
public protocol SIPImmediateMessageSender: SIPMessageSender {
    /// Starts sending `message` to `destination`; calls `onFailure` if it cannot be sent.
    func sendImmediately(
        _ message: SIPMessage, to destination: SIPDestination, onFailure: @escaping @Sendable (any Error) -> Void)
    /// Starts sending `response` back to `source` (§18.2.2); calls `onFailure` on failure.
    func sendResponseImmediately(
        _ response: SIPResponse, to source: SIPSource, onFailure: @escaping @Sendable (any Error) -> Void)
}
