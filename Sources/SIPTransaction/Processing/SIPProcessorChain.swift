public import Logging
public import SIPCore
public import SIPTransport

/// The transaction user of the server (RFC 3261 §8.2, §16): an ordered list of
/// ``SIPRequestProcessor``s that every new request walks until one answers it or takes the
/// transaction over (repro's `ProcessorChain`, Hummingbird's `MiddlewareGroup`).
///
/// Built once at start (``init(_:statelessHandler:logger:)``) and immutable afterwards. Runs
/// synchronously on the thread that delivered the request — the receiving event loop — with no
/// task and no hop. A processor that throws a ``SIPResponseError`` is answered with it; a request
/// that no processor answers gets 500 (a chain should end with a catch-all such as 501). A
/// processor that had to wait (a password lookup) resumes the walk after itself with
/// ``SIPRequestContext/resumeChain()``.
///
/// ACKs for 2xx responses and stray responses go to the ``SIPStatelessHandler`` (the proxy
/// core forwards them statelessly, RFC 3261 §16.7, §16.11); without one they are absorbed.
public final class SIPProcessorChain: SIPTransactionUser {
    /// The processors, in order.
    public let processors: [any SIPRequestProcessor]
    /// The union of the processors' capabilities (`Allow`, `Supported`, `Accept`).
    public let capabilities: SIPProcessorCapabilities
    let statelessHandler: (any SIPStatelessHandler)?
    let logger: Logger

    public init(
        _ processors: [any SIPRequestProcessor], statelessHandler: (any SIPStatelessHandler)? = nil, logger: Logger
    ) {
        self.processors = processors
        self.capabilities = processors.reduce(SIPProcessorCapabilities()) { $0.merged(with: $1.capabilities) }
        self.statelessHandler = statelessHandler
        self.logger = logger
    }

    public func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle) {
        var context = SIPRequestContext(transaction: transaction, capabilities: capabilities, logger: logger)
        context.chain = self
        run(&context, from: 0)
    }

    /// Walks the processors from index `start`.
    func run(_ context: inout SIPRequestContext, from start: Int) {
        var index = start
        while index < processors.count {
            context.position = index
            do throws(SIPResponseError) {
                switch try processors[index].process(&context) {
                case .continue:
                    index += 1
                    continue
                case .respond(let response):
                    context.respond(response)
                    return
                case .takeOver:
                    return
                }
            } catch {
                context.respond(error)
                return
            }
        }
        context.respond(SIPResponseError(500, "No processor answered the request", outcome: "request.unhandled"))
    }

    public func handleACK(_ ack: SIPRequest, source: SIPSource) {
        statelessHandler?.forwardACK(ack, source: source)
    }

    public func handleStrayResponse(_ response: SIPResponse, source: SIPSource) {
        statelessHandler?.forwardStrayResponse(response, source: source)
    }
}

/// What a chain does with the messages that have no server transaction: an ACK for a 2xx
/// (its own transaction, RFC 3261 §17.1.1.3, forwarded statelessly by a proxy, §16.7 step 10)
/// and responses that match no client transaction (§16.7: 2xx retransmissions).
public protocol SIPStatelessHandler: Sendable {
    func forwardACK(_ ack: SIPRequest, source: SIPSource)
    func forwardStrayResponse(_ response: SIPResponse, source: SIPSource)
}
