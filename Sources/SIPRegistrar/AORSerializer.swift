import Synchronization

/// Runs REGISTER processing for one address-of-record at a time (RFC 3261 §10.3: steps 6–8
/// read the AOR's bindings, check Call-ID/CSeq and write; two REGISTERs for the same AOR must
/// not interleave), while different AORs proceed in parallel and meet in the group commit.
///
/// Waiters for a busy AOR queue in arrival order (FIFO) and are resumed one by one.
final class AORSerializer: Sendable {
    private struct State {
        /// AORs being processed, with the continuations waiting for each.
        var busy: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    /// Runs `body` while holding the AOR.
    func withAOR<T, E: Error>(_ aor: String, _ body: () async throws(E) -> T) async throws(E) -> T {
        await acquire(aor)
        defer { release(aor) }
        return try await body()
    }

    /// How many REGISTERs wait for `aor` behind the one holding it (queue depth, for metrics and
    /// for tests that need to know a request has queued).
    func waiterCount(for aor: String) -> Int {
        state.withLock { $0.busy[aor]?.count ?? 0 }
    }

    /// True while a REGISTER holds `aor`.
    func isHeld(_ aor: String) -> Bool {
        state.withLock { $0.busy[aor] != nil }
    }

    private func acquire(_ aor: String) async {
        let acquired = state.withLock { state -> Bool in
            if state.busy[aor] == nil {
                state.busy[aor] = []
                return true
            }
            return false
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.busy[aor] == nil {
                    state.busy[aor] = []
                    return true
                }
                state.busy[aor]!.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ aor: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var waiters = state.busy[aor] else { return nil }
            if waiters.isEmpty {
                state.busy[aor] = nil
                return nil
            }
            let first = waiters.removeFirst()
            state.busy[aor] = waiters
            return first
        }
        next?.resume()
    }
}
