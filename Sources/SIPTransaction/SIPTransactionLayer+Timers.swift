import Logging
import SIPCore
import Synchronization

/// Which transaction a timer belongs to.
enum TimerTarget: Sendable {
    case server(SIPServerTransactionKey, id: UInt64)
    case client(SIPClientTransactionKey, id: UInt64)
}

extension SIPTransactionLayer {
    /// Starts (or restarts) the timer in `slot`. Called under the stripe lock.
    func arm(
        _ slot: TimerSlot, after delay: Duration, target: TimerTarget, shard: Int, timers: inout [ArmedTimer],
        state: inout ShardState
    ) {
        timers.disarm(slot)
        let token = state.nextID()
        let scheduled = scheduler.schedule(after: delay) { [weak self] in
            self?.timerFired(slot, token: token, target: target, shard: shard)
        }
        timers.append(ArmedTimer(slot: slot, token: token, timer: scheduled))
    }

    /// A scheduled timer ran: apply it to its transaction if it is still current.
    func timerFired(_ slot: TimerSlot, token: UInt64, target: TimerTarget, shard: Int) {
        var effects: [TransactionEffect] = []
        shards[shard].state.withLock { state in
            switch target {
            case .server(let key, let id):
                guard var entry = state.servers[key], entry.id == id,
                    entry.timers.consume(slot, token: token)
                else { return }
                guard case .rfc(let timer) = slot else {
                    reapServer(key: key, entry: &entry, state: &state, effects: &effects)
                    return
                }
                let actions = entry.machine.timerFired(timer)
                if timer == .g, actions.contains(where: { if case .send = $0 { true } else { false } }) {
                    metrics.retransmitted(timer: timer)
                }
                applyServer(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
            case .client(let key, let id):
                guard var entry = state.clients[key], entry.id == id, entry.timers.consume(slot, token: token) else {
                    return
                }
                guard case .rfc(let timer) = slot else {
                    reapClient(key: key, entry: &entry, state: &state, effects: &effects)
                    return
                }
                let actions = entry.machine.timerFired(timer)
                if timer == .a || timer == .e, actions.contains(where: { if case .send = $0 { true } else { false } }) {
                    metrics.retransmitted(timer: timer)
                }
                applyClient(actions, key: key, entry: &entry, shard: shard, state: &state, effects: &effects)
            }
        }
        perform(effects)
    }

    private func reapServer(
        key: SIPServerTransactionKey, entry: inout ServerEntry, state: inout ShardState, effects: inout [TransactionEffect]
    ) {
        entry.timers.cancelAll()
        state.servers[key] = nil
        metrics.transactionRemoved(server: true)
        logger.notice(
            "reaped server transaction that outlived its maximum lifetime",
            metadata: ["sip.method": "\(key.method)", "sip.call_id": "\(entry.handle?.essentials.callID ?? "")"])
        if let handle = entry.handle { effects.append(.serverFailed(handle, .lifetimeExceeded)) }
    }

    private func reapClient(
        key: SIPClientTransactionKey, entry: inout ClientEntry, state: inout ShardState, effects: inout [TransactionEffect]
    ) {
        entry.timers.cancelAll()
        state.clients[key] = nil
        metrics.transactionRemoved(server: false)
        metrics.failed(server: false, reason: .lifetimeExceeded)
        logger.notice("reaped client transaction that outlived its maximum lifetime", metadata: ["sip.branch": "\(key.branch)"])
        effects.append(.clientEvent(entry.onEvent, .timeout))
    }
}
