import Logging
public import NIOCore
public import SIPCore
import SIPTransport
import Synchronization

extension SIPTransactionLayer {
    /// §17.2.3: match a request to a server transaction, or create one. The key comes from the
    /// essentials the transport parsed; a request delivered without them (tests, other
    /// receivers) has them parsed here, and is answered 400 when they are unusable.
    func receiveRequest(_ request: SIPRequest, source: SIPSource, essentials given: SIPRequestEssentials?, eventLoop: (any EventLoop)?) {
        let essentials: SIPRequestEssentials
        if let given {
            essentials = given
        } else {
            do throws(SIPRequestEssentials.Failure) { essentials = try SIPRequestEssentials(parsing: request) } catch {
                switch error {
                case .unusableVia(let error), .invalid(let error, _): rejectUnmatchable(request, source: source, error: error)
                }
                return
            }
        }
        let key = SIPServerTransactionKey(request: request, essentials: essentials)
        enum Outcome { case absorbed, strayACK, created, refused(SIPResponseError) }
        let shard = shardIndex(key)
        var effects: [TransactionEffect] = []
        let outcome = shards[shard].state.withLock { state -> Outcome in
            if var entry = state.servers[key], entry.toTagMatches(request, key: key) {
                let actions = entry.machine.receiveRequest(request)
                applyServer(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
                return .absorbed
            }
            if request.method == .ack { return .strayACK }
            if let refusal = admissionGate?.refusal(for: request, essentials: essentials) { return .refused(refusal) }
            if var previous = state.servers.removeValue(forKey: key) {
                // RFC 2543 key reused with another To tag: the newer request wins the slot.
                previous.timers.cancelAll()
                metrics.transactionRemoved(server: true)
            }
            let record = ServerTransactionRecord(
                key: key, id: state.nextID(), request: request, essentials: essentials, source: source,
                eventLoop: eventLoop)
            let handle = SIPServerTransactionHandle(record: record, layer: self)
            var entry = ServerEntry(
                machine: ServerMachine(
                    request: request, isReliable: source.transport.isStream, timers: configuration.timers),
                handle: handle, id: record.id, source: source, requestToTag: essentials.to.tag, responseToTag: nil)
            let actions = entry.machine.start()
            applyServer(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
            return .created
        }
        switch outcome {
        case .absorbed:
            metrics.requestAbsorbed(method: request.method)
            logger.trace("request matched a server transaction", metadata: metadata(request))
        case .strayACK:
            metrics.unmatched("ack")
            logger.trace("ACK outside a transaction passed to the TU", metadata: metadata(request))
            effects.append(.ack(request, source))
        case .created:
            metrics.transactionCreated(server: true, method: request.method)
            logger.trace("server transaction created", metadata: metadata(request))
            perform(effects)
            armLifetimeGuard(key: key, shard: shard)
            return
        case .refused(let error):
            sendStatelessly(SIPResponse(answering: request, error: error), to: source)
        }
        perform(effects)
    }

    /// Arms the reaper's lifetime guard (``Configuration/maximumLifetime``) on a transaction the
    /// TU did not answer while it handled the request — one taken over to answer after a commit,
    /// or an INVITE. Most requests are answered at once and never need the guard.
    private func armLifetimeGuard(key: SIPServerTransactionKey, shard: Int) {
        guard let lifetime = configuration.maximumLifetime else { return }
        shards[shard].state.withLock { state in
            guard var entry = state.servers[key], entry.machine.awaitsFinalResponse else { return }
            arm(.lifetime, after: lifetime, target: .server(key, id: entry.id), shard: shard, timers: &entry.timers, state: &state)
            state.servers[key] = entry
        }
    }

    /// The TU's response through a handle.
    func respond(_ response: SIPResponse, on handle: SIPServerTransactionHandle) throws(SIPTransactionError) {
        guard (100...699).contains(response.statusCode) else {
            throw SIPTransactionError(.invalidResponse, "status code \(response.statusCode) outside 100–699")
        }
        let shard = shardIndex(handle.key)
        var effects: [TransactionEffect] = []
        let accepted = shards[shard].state.withLock { state -> Bool in
            guard var entry = state.servers[handle.key], entry.id == handle.id else { return false }
            let actions = entry.machine.sendResponse(response)
            guard !actions.isEmpty else { return false }
            applyServer(actions, key: handle.key, entry: &entry, shard: shard, state: &state, effects: &effects)
            return true
        }
        perform(effects)
        guard accepted else {
            throw SIPTransactionError(
                .transactionTerminated, "server transaction no longer accepts a \(response.statusCode) response")
        }
    }

    /// §9.2: the INVITE server transaction a CANCEL cancels — one that matches the CANCEL by
    /// §17.2.3 with the method taken as INVITE and has not sent a final response yet.
    public func inviteTransaction(forCancel cancel: SIPRequest) -> SIPServerTransactionHandle? {
        guard cancel.method == .cancel, let key = try? SIPServerTransactionKey(cancelTarget: cancel) else { return nil }
        return inviteTransaction(key: key, cancel: cancel)
    }

    /// §9.2: the INVITE server transaction the CANCEL of `cancel` cancels, keyed from the
    /// CANCEL's essentials (no header parsed again).
    public func inviteTransaction(forCancel cancel: SIPServerTransactionHandle) -> SIPServerTransactionHandle? {
        guard cancel.request.method == .cancel else { return nil }
        let key = SIPServerTransactionKey(cancelTarget: cancel.request, essentials: cancel.essentials)
        return inviteTransaction(key: key, cancel: cancel.request)
    }

    private func inviteTransaction(key: SIPServerTransactionKey, cancel: SIPRequest) -> SIPServerTransactionHandle? {
        shards[shardIndex(key)].state.withLock { state -> SIPServerTransactionHandle? in
            guard let entry = state.servers[key], entry.machine.isCancellable, entry.toTagMatches(cancel, key: key) else {
                return nil
            }
            return entry.handle
        }
    }

    /// Carries out a server machine's actions under the stripe lock; writes the entry back or
    /// removes it when terminated.
    func applyServer(
        _ actions: [SIPTransactionAction], key: SIPServerTransactionKey, entry: inout ServerEntry, shard: Int,
        state: inout ShardState, effects: inout [TransactionEffect]
    ) {
        let target = TimerTarget.server(key, id: entry.id)
        let send = ServerSend(key: key, id: entry.id, source: entry.source, handle: entry.handle)
        for action in actions {
            switch action {
            case .send(.response(let response)):
                if response.isFinal, case .rfc2543 = key { entry.responseToTag = response.toTag }
                metrics.responseSent(status: response.statusCode)
                effects.append(.sendResponse(response, send))
            case .send(.request):
                continue  // a server transaction sends no requests
            case .startTimer(let timer, let delay):
                arm(.rfc(timer), after: delay, target: target, shard: shard, timers: &entry.timers, state: &state)
            case .cancelTimer(let timer):
                entry.timers.disarm(.rfc(timer))
            case .passToTU(.request(let request)):
                if request.method == .ack {
                    effects.append(.ack(request, entry.source))
                } else if let handle = entry.handle {
                    effects.append(.newRequest(handle))
                }
            case .passToTU(.response):
                continue
            case .timeout:
                if let handle = entry.handle { effects.append(.serverFailed(handle, .timeout)) }
            case .transportError:
                if let handle = entry.handle { effects.append(.serverFailed(handle, .transportError)) }
            case .terminate:
                entry.timers.cancelAll()
                state.servers[key] = nil
                metrics.transactionRemoved(server: true)
                return
            }
        }
        if entry.handle != nil, let compacted = entry.machine.compacted {
            entry.machine = compacted
            entry.handle = nil
            entry.timers.disarm(.lifetime)  // Timer J ends it now
        }
        state.servers[key] = entry
    }

    /// A response could not be sent (§17.2.4).
    func serverSendFailed(_ send: ServerSend, error: any Error) {
        logger.debug("could not send response", metadata: ["sip.error": "\(error)"])
        let shard = shardIndex(send.key)
        var effects: [TransactionEffect] = []
        shards[shard].state.withLock { state in
            guard var entry = state.servers[send.key], entry.id == send.id else {
                // Already terminated (TCP/TLS finals terminate at once): still tell the TU.
                if let handle = send.handle { effects.append(.serverFailed(handle, .transportError)) }
                return
            }
            // A compacted entry no longer holds the handle; the send that failed still does.
            if entry.handle == nil { entry.handle = send.handle }
            let actions = entry.machine.transportError()
            applyServer(actions, key: send.key, entry: &entry, shard: shard, state: &state, effects: &effects)
        }
        perform(effects)
    }

    /// A response sent without a transaction (§8.2.7): a retransmission of the request is
    /// handled anew.
    func sendStatelessly(_ response: SIPResponse, to source: SIPSource) {
        if let immediateSender {
            immediateSender.sendResponseImmediately(response, to: source) { _ in }
        } else {
            let sender = self.sender
            Task { try? await sender.sendResponse(response, to: source) }
        }
    }

    /// A request whose Via or CSeq cannot be read cannot be matched (§17.2.3); it is counted and,
    /// unless it is an ACK, answered 400 without a transaction (§8.2.2 style), best effort.
    private func rejectUnmatchable(_ request: SIPRequest, source: SIPSource, error: SIPParseError) {
        metrics.unmatched("malformed")
        logger.debug("request cannot be matched to a transaction", metadata: ["sip.error": "\(error)"])
        guard request.method != .ack else { return }
        let response = SIPResponse(answering: request, statusCode: 400, reasonPhrase: "Bad Request (\(error.reason))")
        let sender = self.sender
        Task { try? await sender.sendResponse(response, to: source) }
    }

    func metadata(_ request: SIPRequest) -> Logger.Metadata {
        [
            "sip.method": "\(request.method)",
            "sip.call_id": "\(request.callID ?? "")",
            "sip.branch": "\((try? request.topVia.branch) ?? "")",
        ]
    }
}
