import Logging
public import SIPCore
public import SIPTransport
import Synchronization

extension SIPTransactionLayer {
    /// Starts a client transaction (§17.1): sends `request` to `destination` and reports
    /// responses, timeout or transport error through `onEvent`, called outside the layer's
    /// locks on the thread that received the response or fired the timer.
    ///
    /// The request must carry its own top Via with a unique `z9hG4bK` branch
    /// (``makeBranch()``); a CANCEL reuses its INVITE's branch (§9.1). TCP/TLS destinations get
    /// no retransmissions and zero wait timers.
    ///
    /// - Throws: ``SIPTransactionError/Code/invalidRequest`` for an ACK (it has no transaction),
    ///   ``SIPTransactionError/Code/missingBranch`` without a branch,
    ///   ``SIPTransactionError/Code/duplicateTransaction`` when the branch and method are in use.
    @discardableResult
    public func startClientTransaction(
        _ request: SIPRequest, to destination: SIPDestination,
        onEvent: @escaping @Sendable (SIPClientTransactionEvent) -> Void
    ) throws(SIPTransactionError) -> SIPClientTransactionKey {
        guard request.method != .ack else {
            throw SIPTransactionError(.invalidRequest, "ACK is sent without a client transaction (§17.1.1.3, §13.2.2.4)")
        }
        guard let key = SIPClientTransactionKey(request: request) else {
            throw SIPTransactionError(.missingBranch, "request has no top Via branch")
        }
        let shard = shardIndex(key)
        var effects: [TransactionEffect] = []
        let created = shards[shard].state.withLock { state -> Bool in
            guard state.clients[key] == nil else { return false }
            var entry = ClientEntry(
                machine: ClientMachine(
                    request: request, isReliable: destination.transport.isStream, timers: configuration.timers),
                id: state.nextID(), key: key, destination: destination, onEvent: onEvent)
            if request.method == .invite, let lifetime = configuration.maximumLifetime {
                arm(.lifetime, after: lifetime, target: .client(key, id: entry.id), shard: shard, timers: &entry.timers, state: &state)
            }
            let actions = entry.machine.start()
            applyClient(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
            return true
        }
        guard created else {
            throw SIPTransactionError(.duplicateTransaction, "a client transaction with branch \(key.branch) exists")
        }
        metrics.transactionCreated(server: false, method: request.method)
        logger.trace("client transaction created", metadata: metadata(request))
        perform(effects)
        return key
    }

    /// Sends `request` in a client transaction and returns its final response (for an INVITE,
    /// the first final response; later 2xx go nowhere — use
    /// ``startClientTransaction(_:to:onEvent:)`` to see them and the provisional responses).
    ///
    /// Cancelling the calling task does not stop the transaction (a non-INVITE request cannot
    /// be withdrawn, §9.1); the call still returns when the transaction ends.
    ///
    /// - Throws: the errors of ``startClientTransaction(_:to:onEvent:)``, and
    ///   ``SIPTransactionError/Code/timeout`` or ``SIPTransactionError/Code/transportError``.
    public func sendRequest(_ request: SIPRequest, to destination: SIPDestination) async throws(SIPTransactionError)
        -> SIPResponse
    {
        let once = ResumeOnce()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<SIPResponse, SIPTransactionError>, Never>) in
            once.set(continuation)
            do throws(SIPTransactionError) {
                try startClientTransaction(request, to: destination) { event in
                    switch event {
                    case .response(let response) where response.isFinal:
                        once.resume(.success(response))
                    case .response:
                        break
                    case .timeout:
                        once.resume(.failure(SIPTransactionError(.timeout, "no final response for \(request.method)")))
                    case .transportError:
                        once.resume(.failure(SIPTransactionError(.transportError, "could not send \(request.method)")))
                    }
                }
            } catch {
                once.resume(.failure(error))
            }
        }
        return try result.get()
    }

    /// Sends a request without a transaction: the ACK for a 2xx (§13.2.2.4), or a request
    /// forwarded statelessly. Failures are logged and dropped.
    public func sendWithoutTransaction(_ request: SIPRequest, to destination: SIPDestination) {
        if let immediateSender {
            immediateSender.sendImmediately(.request(request), to: destination) { [logger] error in
                logger.debug("stateless send failed", metadata: ["sip.error": "\(error)"])
            }
            return
        }
        let sender = self.sender
        let logger = self.logger
        Task {
            do { try await sender.send(.request(request), to: destination) } catch {
                logger.debug("stateless send failed", metadata: ["sip.error": "\(error)"])
            }
        }
    }

    /// A fresh RFC 3261 branch: the `z9hG4bK` cookie and 64 random bits (§8.1.1.7).
    public static func makeBranch() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return SIPVia.magicCookie + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// §17.1.3: a response goes to the client transaction with its branch and CSeq method.
    func receiveResponse(_ response: SIPResponse, source: SIPSource) {
        guard let key = SIPClientTransactionKey(response: response) else {
            metrics.unmatched("malformed")
            logger.debug("response without a usable Via branch or CSeq dropped")
            return
        }
        let shard = shardIndex(key)
        var effects: [TransactionEffect] = []
        let matched = shards[shard].state.withLock { state -> Bool in
            guard var entry = state.clients[key] else { return false }
            let actions = entry.machine.receiveResponse(response)
            applyClient(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
            return true
        }
        guard matched else {
            metrics.unmatched("response")
            logger.trace("stray response passed to the TU", metadata: ["sip.branch": "\(key.branch)"])
            user?.handleStrayResponse(response, source: source)
            return
        }
        perform(effects)
    }

    /// Carries out a client machine's actions under the stripe lock.
    func applyClient(
        _ actions: [SIPTransactionAction], key: SIPClientTransactionKey, entry: inout ClientEntry, shard: Int,
        state: inout ShardState, effects: inout [TransactionEffect]
    ) {
        for action in actions {
            switch action {
            case .send(.request(let request)):
                effects.append(.sendRequest(request, entry.destination, key: key, id: entry.id))
            case .send(.response):
                continue  // a client transaction sends no responses
            case .startTimer(let timer, let delay):
                arm(.rfc(timer), after: delay, target: .client(key, id: entry.id), shard: shard, timers: &entry.timers, state: &state)
            case .cancelTimer(let timer):
                entry.timers.disarm(.rfc(timer))
            case .passToTU(.response(let response)):
                effects.append(.clientEvent(entry.onEvent, .response(response)))
            case .passToTU(.request):
                continue
            case .timeout:
                metrics.failed(server: false, reason: .timeout)
                effects.append(.clientEvent(entry.onEvent, .timeout))
            case .transportError:
                metrics.failed(server: false, reason: .transportError)
                effects.append(.clientEvent(entry.onEvent, .transportError))
            case .terminate:
                entry.timers.cancelAll()
                state.clients[key] = nil
                metrics.transactionRemoved(server: false)
                return
            }
        }
        state.clients[key] = entry
    }

    /// The request (or ACK) could not be sent (§17.1.4).
    func clientSendFailed(key: SIPClientTransactionKey, id: UInt64, error: any Error) {
        logger.debug("could not send request", metadata: ["sip.error": "\(error)", "sip.branch": "\(key.branch)"])
        let shard = shardIndex(key)
        var effects: [TransactionEffect] = []
        shards[shard].state.withLock { state in
            guard var entry = state.clients[key], entry.id == id else { return }
            let actions = entry.machine.transportError()
            applyClient(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
        }
        perform(effects)
    }
}

/// Resumes a continuation exactly once.
private final class ResumeOnce: Sendable {
    private let continuation = Mutex<CheckedContinuation<Result<SIPResponse, SIPTransactionError>, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Result<SIPResponse, SIPTransactionError>, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ result: Result<SIPResponse, SIPTransactionError>) {
        let taken = continuation.withLock { value in
            defer { value = nil }
            return value
        }
        taken?.resume(returning: result)
    }
}
