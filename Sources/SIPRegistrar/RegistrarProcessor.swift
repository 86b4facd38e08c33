public import NIOCore
public import SIPCore
public import SIPStorage
public import SIPTransaction

/// The REGISTER step of the request chain (RFC 3261 §10.3): hands REGISTER to the
/// ``Registrar`` on the receiving event loop. Answers at once what needs no commit (rejections,
/// challenges); otherwise takes the transaction over and answers once the bindings are
/// committed, back on the same event loop. Other methods pass.
public struct RegistrarProcessor: SIPRequestProcessor {
    public let registrar: Registrar

    public init(registrar: Registrar) {
        self.registrar = registrar
    }

    public var capabilities: SIPProcessorCapabilities {
        SIPProcessorCapabilities(methods: [.register], supported: Registrar.supportedExtensions)
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method == .register else { return .continue }
        // The registrar writes the request's event itself (with the AOR and instrument).
        context.event.isLogged = true
        let input = Registrar.Input(
            request: context.request, essentials: context.essentials, source: context.source,
            contacts: context[HeaderSyntaxProcessor.ParsedContacts.self])
        let answering = context
        let executor = context.eventLoop.map(CompletionExecutor.init(eventLoop:)) ?? .immediate
        if let response = registrar.handle(input, executor: executor, completion: { answering.respond($0) }) {
            return .respond(response)
        }
        return .takeOver
    }
}

extension CompletionExecutor {
    /// Runs completions on `eventLoop` (at once when already on it).
    public init(eventLoop: any EventLoop) {
        self.init(id: ObjectIdentifier(eventLoop)) { work in
            if eventLoop.inEventLoop { work() } else { eventLoop.execute(work) }
        }
    }
}
