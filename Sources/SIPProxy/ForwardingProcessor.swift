import Crypto
public import Logging
public import SIPCore
public import SIPTransaction
public import SIPTransport

/// Request forwarding (RFC 3261 §16.6): takes the transaction over and forwards the request to
/// the ``TargetSet`` an earlier step chose, statefully — one client transaction per branch, a
/// ``ResponseContext`` choosing what goes upstream (``ProxySession``). Runs on the receiving
/// event loop; only a host-name lookup (RFC 3263) leaves it, on the resolver's thread pool.
public struct ForwardingProcessor: SIPRequestProcessor {
    let settings: ProxySession.Settings

    /// Methods the proxy forwards (for `Allow`); it forwards any other method too (§16).
    public static let methods: [SIPMethod] = [.invite, .bye, .subscribe, .notify, .message, .refer, .info, .update, .prack, .publish]

    /// - Parameters:
    ///   - timerC: Timer C (§16.6 step 11; more than 3 minutes).
    ///   - scheduler: runs Timer C.
    public init(
        listeners: ProxyListeners, flowKey: FlowTokenKey, resolver: SIPTargetResolver, scheduler: any SIPTimerScheduler,
        timerC: Duration = .seconds(181), sessions: ProxySessions, logger: Logger
    ) {
        settings = ProxySession.Settings(
            listeners: listeners, flowKey: flowKey, resolver: resolver, scheduler: scheduler, timerC: timerC,
            sessions: sessions, logger: logger, metrics: ProxyMetrics())
    }

    public var capabilities: SIPProcessorCapabilities { SIPProcessorCapabilities(methods: Self.methods) }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard let targets = context[ProxyContext.Targets.self], !targets.targets.isEmpty else { return .continue }
        let request = context.request
        let input = ProxyBranch.Input(
            request: context.proxyRequest, maxForwards: context.essentials.maxForwards, source: context.source,
            recordRoute: ProxyBranch.recordsRoute(request.method, hasToTag: context.essentials.to.tag != nil),
            loopHash: LoopDetector.hash(request, essentials: context.essentials))
        if context.event.outcome == nil, context.event.instrument != nil || context.event.aor != nil {
            context.event.detail = "\(targets.targets.count) branch(es)"
        }
        ProxySession(upstream: context, input: input, targets: targets, settings: settings).start()
        return .takeOver
    }
}
