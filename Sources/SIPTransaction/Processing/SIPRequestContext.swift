public import Logging
public import NIOCore
public import SIPCore
public import SIPTransport

/// Everything the processors of one request share (repro's `RequestContext`): the request, its
/// essentials parsed once at ingress, its server transaction, the chain's capabilities, the
/// structured event being built for the log, and what earlier processors learned (typed values
/// under ``SIPRequestContextKey``s).
///
/// A processor that takes the transaction over keeps its copy of the context and answers with
/// ``respond(_:)`` later; that also writes the request's one log event.
public struct SIPRequestContext: Sendable {
    /// The server transaction of the request (respond through the context, not through it).
    public let transaction: SIPServerTransactionHandle
    /// What the whole chain handles (for OPTIONS, 405/501 and 420 answers).
    public let capabilities: SIPProcessorCapabilities
    /// The request's structured log event; processors add what they learn.
    public var event: SIPRequestEvent
    /// The logger the event is written to.
    public let logger: Logger
    private var values: [ObjectIdentifier: any Sendable] = [:]
    /// The chain walking this request and the index of the processor running now (for
    /// ``resumeChain()``).
    var chain: SIPProcessorChain?
    var position = 0

    public init(transaction: SIPServerTransactionHandle, capabilities: SIPProcessorCapabilities, logger: Logger) {
        self.transaction = transaction
        self.capabilities = capabilities
        self.logger = logger
        self.event = SIPRequestEvent()
    }

    /// The request.
    public var request: SIPRequest { transaction.request }
    /// Its top Via, From, To, Call-ID, CSeq and Max-Forwards, parsed once at ingress.
    public var essentials: SIPRequestEssentials { transaction.essentials }
    /// Where it came from.
    public var source: SIPSource { transaction.source }
    /// The event loop that received it (nil when it was not delivered by the transport).
    public var eventLoop: (any EventLoop)? { transaction.eventLoop }

    /// A value an earlier processor stored, by key type.
    public subscript<Key: SIPRequestContextKey>(_ key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }

    /// Sends `response` through the transaction and, for a final response, writes the request's
    /// event (with the response's status) unless the processor logged it already
    /// (``SIPRequestEvent/isLogged``).
    public func respond(_ response: SIPResponse) {
        do {
            try transaction.respond(response)
        } catch {
            logger.debug(
                "response not sent",
                metadata: ["sip.status": "\(response.statusCode)", "sip.call_id": "\(essentials.callID)", "error": "\(error)"])
        }
        if response.isFinal, !event.isLogged { event.log(to: logger, status: response.statusCode, context: self) }
    }

    /// Continues the chain after the processor that took the transaction over (one that had to
    /// wait, for a password lookup, and found the request is not its to answer after all).
    /// Without a chain (a context built by hand) the request is answered 500.
    public func resumeChain() {
        var context = self
        guard let chain else {
            context.respond(SIPResponseError(500, "No processor answered the request", outcome: "request.unhandled"))
            return
        }
        chain.run(&context, from: position + 1)
    }

    /// Renders `error` as the response to the request (with its headers and a To tag) and sends it.
    public func respond(_ error: SIPResponseError) {
        var context = self
        if context.event.outcome == nil { context.event.outcome = error.outcome }
        if context.event.detail == nil, error.statusCode >= 400 { context.event.detail = error.reasonPhrase }
        context.respond(SIPResponse(answering: request, error: error))
    }
}

/// A typed slot in ``SIPRequestContext`` for what one processor learns and a later one reads
/// (repro's key-value store, typed).
public protocol SIPRequestContextKey {
    associatedtype Value: Sendable
}
