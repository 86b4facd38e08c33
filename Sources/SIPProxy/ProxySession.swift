import Crypto
import Logging
public import SIPCore
import SIPTransport
public import SIPTransaction
import Synchronization

/// One forwarded request (RFC 3261 §16.6–16.10): the driver of a ``ResponseContext``. It
/// starts one client transaction per branch, feeds their responses, timeouts and transport
/// errors to the context and carries out its actions — forwarding responses upstream through
/// the server transaction (without our Via, §16.7 step 3), sending CANCELs, arming Timer C.
///
/// Thread-safe: client transaction events arrive on whatever thread received the response;
/// the context changes under a mutex and the actions run after it is released, like the
/// transaction layer's effects.
final class ProxySession: Sendable {
    struct Settings: Sendable {
        let listeners: ProxyListeners
        let flowKey: FlowTokenKey
        let resolver: SIPTargetResolver
        let scheduler: any SIPTimerScheduler
        let timerC: Duration
        let sessions: ProxySessions
        let logger: Logger
        let metrics: ProxyMetrics
    }

    private struct State: Sendable {
        var context: ResponseContext
        var requests: [(request: SIPRequest, destination: SIPDestination)?]
        var timersC: [(any SIPScheduledTimer)?]
        var timerCGeneration: [Int]
        var loggedFinal = false
    }

    let upstream: SIPRequestContext
    let input: ProxyBranch.Input
    let targets: TargetSet
    let settings: Settings
    private let state: Mutex<State>

    init(upstream: SIPRequestContext, input: ProxyBranch.Input, targets: TargetSet, settings: Settings) {
        self.upstream = upstream
        self.input = input
        self.targets = targets
        self.settings = settings
        let count = targets.targets.count
        self.state = Mutex(
            State(
                context: ResponseContext(method: upstream.request.method, groups: targets.groups),
                requests: Array(repeating: nil, count: count), timersC: Array(repeating: nil, count: count),
                timerCGeneration: Array(repeating: 0, count: count)))
    }

    var layer: SIPTransactionLayer { upstream.transaction.transactionLayer }

    /// Starts the first group of branches.
    func start() {
        settings.metrics.forwarded(branches: targets.targets.count)
        if upstream.request.method == .invite { settings.sessions.insert(self, for: upstream.transaction) }
        let actions = state.withLock { $0.context.start() }
        perform(actions)
    }

    /// CANCEL from upstream (§16.10).
    func cancel() {
        perform(state.withLock { $0.context.cancel() })
    }

    // MARK: - Events

    private func event(_ event: SIPClientTransactionEvent, branch: Int) {
        let actions = state.withLock { state -> [ResponseContext.Action] in
            switch event {
            case .response(let response):
                if response.isFinal { settings.metrics.branchEnded(status: response.statusCode) }
                return state.context.receive(response, branch: branch)
            case .timeout:
                settings.metrics.branchTimedOut()
                return state.context.timedOut(branch: branch)
            case .transportError:
                settings.metrics.branchFailed()
                return state.context.transportFailed(branch: branch)
            }
        }
        perform(actions)
    }

    private func timerCFired(branch: Int, generation: Int) {
        let actions = state.withLock { state -> [ResponseContext.Action] in
            guard state.timerCGeneration[branch] == generation else { return [] }
            state.timersC[branch] = nil
            return state.context.timerCFired(branch: branch)
        }
        perform(actions)
    }

    // MARK: - Actions

    private func perform(_ actions: [ResponseContext.Action]) {
        for action in actions {
            switch action {
            case .startBranches(let indices):
                for index in indices { startBranch(index) }
            case .forward(let response):
                forwardUpstream(response)
            case .generate(let status):
                respondFinal(SIPResponse(answering: upstream.request, statusCode: status, toTag: SIPTag.random()))
            case .cancelBranches(let indices):
                for index in indices { cancelBranch(index) }
            case .armTimerC(let index):
                armTimerC(index)
            case .disarmTimerC(let index):
                state.withLock { state in
                    state.timerCGeneration[index] += 1
                    state.timersC[index]?.cancel()
                    state.timersC[index] = nil
                }
            case .finished:
                settings.sessions.remove(upstream.transaction)
                state.withLock { state in
                    for index in state.timersC.indices { state.timersC[index]?.cancel() }
                }
            }
        }
    }

    private func startBranch(_ index: Int) {
        let target = targets.targets[index]
        switch target.nextHop {
        case .flow(let destination):
            send(index, target: target, to: destination)
        case .uri(let uri):
            if let destination = SIPTargetResolver.literalDestination(for: uri) {
                send(index, target: target, to: destination)
                return
            }
            settings.resolver.resolve(uri) { [self] result in
                switch result {
                case .success(let destinations):
                    send(index, target: target, to: destinations[0])
                case .failure(let error):
                    settings.logger.debug(
                        "proxy target unresolvable", metadata: ["sip.uri": "\(uri)", "error": "\(error)"])
                    event(.transportError, branch: index)
                }
            }
        }
    }

    private func send(_ index: Int, target: ProxyTarget, to destination: SIPDestination) {
        let request = ProxyBranch.request(
            input, target: target, outbound: destination.transport, destination: destination,
            listeners: settings.listeners, flowKey: settings.flowKey)
        state.withLock { $0.requests[index] = (request, destination) }
        do {
            try layer.startClientTransaction(request, to: destination) { [self] event in
                self.event(event, branch: index)
            }
        } catch {
            settings.logger.debug("proxy branch not started", metadata: ["error": "\(error)"])
            event(.transportError, branch: index)
        }
    }

    private func cancelBranch(_ index: Int) {
        guard let sent = state.withLock({ $0.requests[index] }) else { return }
        // To where the INVITE went (§9.1). The CANCEL's own responses are of no interest
        // (§16.10); the INVITE ends with a 487 or another final response.
        try? layer.startClientTransaction(ProxyBranch.cancel(for: sent.request), to: sent.destination) { _ in }
    }

    private func armTimerC(_ index: Int) {
        state.withLock { state in
            state.timerCGeneration[index] += 1
            let generation = state.timerCGeneration[index]
            state.timersC[index]?.cancel()
            state.timersC[index] = settings.scheduler.schedule(after: settings.timerC) { [self] in
                timerCFired(branch: index, generation: generation)
            }
        }
    }

    private func forwardUpstream(_ received: SIPResponse) {
        var response = received
        guard let via = response.headers.firstIndex(of: .via) else { return }
        do { try response.headers.removeValue(at: via, valueIndex: 0) } catch { return }
        if response.isProvisional {
            try? upstream.transaction.respond(response)
        } else {
            respondFinal(response)
        }
    }

    /// The first final response is logged as the request's event; later 2xx (INVITE forks)
    /// only pass.
    private func respondFinal(_ response: SIPResponse) {
        let first = state.withLock { state -> Bool in
            defer { state.loggedFinal = true }
            return !state.loggedFinal
        }
        if first { upstream.respond(response) } else { try? upstream.transaction.respond(response) }
    }
}
