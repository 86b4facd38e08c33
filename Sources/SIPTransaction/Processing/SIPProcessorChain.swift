public import Logging
public import SIPCore
public import SIPTransport

/// The transaction user of the server (RFC 3261 §8.2, §16): an ordered list of
/// ``SIPRequestProcessor``s that every new request walks until one answers it or takes the
/// transaction over (repro's `ProcessorChain`, Hummingbird's `MiddlewareGroup`).
///
/// Built once at start (``init(_:logger:)``) and immutable afterwards. Runs synchronously on the
/// thread that delivered the request — the receiving event loop — with no task and no hop. A
/// processor that throws a ``SIPResponseError`` is answered with it; a request that no processor
/// answers gets 500 (a chain should end with a catch-all such as 501).
///
/// ACKs for 2xx responses and stray responses are absorbed (there is no proxy core yet to
/// forward them, §16.7).
public final class SIPProcessorChain: SIPTransactionUser {
    /// The processors, in order.
    public let processors: [any SIPRequestProcessor]
    /// The union of the processors' capabilities (`Allow`, `Supported`, `Accept`).
    public let capabilities: SIPProcessorCapabilities
    let logger: Logger

    public init(_ processors: [any SIPRequestProcessor], logger: Logger) {
        self.processors = processors
        self.capabilities = processors.reduce(SIPProcessorCapabilities()) { $0.merged(with: $1.capabilities) }
        self.logger = logger
    }

    public func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle) {
        var context = SIPRequestContext(transaction: transaction, capabilities: capabilities, logger: logger)
        for processor in processors {
            do throws(SIPResponseError) {
                switch try processor.process(&context) {
                case .continue:
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
}
