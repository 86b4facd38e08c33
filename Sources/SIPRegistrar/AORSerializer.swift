import Synchronization

/// Runs REGISTER processing for one address-of-record at a time (RFC 3261 §10.3: steps 6–8
/// read the AOR's bindings, check Call-ID/CSeq and write; two REGISTERs for the same AOR must
/// not interleave), while different AORs proceed in parallel and meet in the group commit.
///
/// Without tasks or suspension: ``run(_:_:)`` starts the work at once, on the calling thread,
/// when the AOR is free; otherwise the work queues (FIFO) and is started by the `release` of the
/// work before it, on that thread. Work must call `release` exactly once, when it is done.
final class AORSerializer: Sendable {
    typealias Work = @Sendable (_ release: @escaping @Sendable () -> Void) -> Void

    /// AORs being processed, with the work waiting for each.
    private let busy = Mutex<[String: [Work]]>([:])

    /// Runs `work` for `aor` now, or after the work queued before it has released the AOR.
    func run(_ aor: String, _ work: @escaping Work) {
        let startNow = busy.withLock { busy -> Bool in
            if busy[aor] == nil {
                busy[aor] = []
                return true
            }
            busy[aor]!.append(work)
            return false
        }
        if startNow { work(releaser(aor)) }
    }

    /// How many REGISTERs wait for `aor` behind the one holding it (queue depth, for metrics and
    /// for tests that need to know a request has queued).
    func waiterCount(for aor: String) -> Int {
        busy.withLock { $0[aor]?.count ?? 0 }
    }

    /// True while a REGISTER holds `aor`.
    func isHeld(_ aor: String) -> Bool {
        busy.withLock { $0[aor] != nil }
    }

    private func releaser(_ aor: String) -> @Sendable () -> Void {
        let once = Once()
        return { [self] in
            guard once.first() else { return }
            let next = busy.withLock { busy -> Work? in
                guard var waiting = busy[aor] else { return nil }
                if waiting.isEmpty {
                    busy[aor] = nil
                    return nil
                }
                let first = waiting.removeFirst()
                busy[aor] = waiting
                return first
            }
            next?(releaser(aor))
        }
    }
}

/// True the first time only (a `release` called twice must not start two waiters).
private final class Once: Sendable {
    private let done = Atomic(false)
    func first() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
}
