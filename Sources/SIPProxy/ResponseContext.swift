public import SIPCore

/// The response context of a stateful proxy (RFC 3261 §16.7–16.10) as a pure state machine:
/// it is told what the branches (one client transaction each) report and returns the
/// ``Action``s to carry out — forward a response upstream, start or cancel branches, arm Timer C.
/// Like the transactions, it does no I/O and reads no clock; ``ProxySession`` drives it.
///
/// Branches come in groups (§16.6: targets of equal q in parallel, lower groups serially): the
/// next group starts when every branch of the current one completed without a 2xx or 6xx.
///
/// Rules:
/// - §16.7 step 5: provisional responses other than 100 are forwarded at once (for every
///   method); for INVITE each one (re)arms the branch's Timer C (§16.7 step 2).
/// - 2xx to INVITE: every 2xx of every branch is forwarded as it comes (§16.7 step 5); after
///   the first, the pending branches are cancelled (§16.7 step 10) and no new branch starts.
/// - 2xx to other methods: the first is forwarded; later ones are absorbed (only one final
///   response goes upstream). For SUBSCRIBE this is RFC 6665 §4.1.2.4: the subscriber learns
///   about the other forks from their NOTIFYs, which create their own dialogs.
/// - 6xx (§16.7 step 5): not forwarded at once; pending branches are cancelled, no new branch
///   starts, and the 6xx is the best response.
/// - Best response (§16.7 step 6), once every branch is complete: a 6xx if any; else the lowest
///   class; within 4xx, 401, 407, 415, 420 and 484 are preferred; a 503 is sent as 500 (§16.7
///   step 6); no response at all gives 408.
/// - A chosen 401 or 407 carries every `WWW-Authenticate` and `Proxy-Authenticate` of all the
///   401 and 407 responses received (§16.7 step 7).
/// - A branch that timed out counts as a 408 (§16.8); one whose transport failed as a 503
///   (§16.9).
/// - Timer C (§16.8): on a branch that had a provisional response the branch is cancelled;
///   on one that had none it counts as a 408.
/// - CANCEL from upstream (§16.10): every pending branch is cancelled and no new branch starts;
///   the final response still comes from the branches (487 from each, normally).
/// - A branch is cancelled only once it had a provisional response (§9.1); until then the
///   cancel is remembered and sent on the first provisional.
public struct ResponseContext: Sendable {
    /// What the driver does.
    public enum Action: Sendable, Hashable {
        /// Start these branches (create their client transactions).
        case startBranches([Int])
        /// Send this response upstream (minus our Via): a provisional, a 2xx, or the final.
        case forward(SIPResponse)
        /// Answer upstream with a response generated here (408 when no branch answered).
        case generate(statusCode: Int)
        /// Send CANCEL on these branches.
        case cancelBranches([Int])
        /// (Re)arm Timer C of this INVITE branch.
        case armTimerC(Int)
        /// Disarm Timer C of this branch.
        case disarmTimerC(Int)
        /// Every branch is complete and the final response was sent: the context is done.
        case finished
    }

    enum BranchState: Sendable, Hashable {
        case waiting, calling, proceeding, completed
    }

    struct Branch: Sendable {
        var state: BranchState = .waiting
        var cancelRequested = false
        var cancelSent = false
    }

    public let isInvite: Bool
    private var branches: [Branch]
    private let groups: [[Int]]
    private var nextGroup = 0
    private var responses: [SIPResponse] = []
    /// True once a final response went upstream (a 2xx).
    public private(set) var finalSent = false
    /// True when no new branch may start: a 2xx to INVITE, a 6xx, or an upstream CANCEL.
    public private(set) var isClosed = false
    private var sixxx: SIPResponse?
    public private(set) var isFinished = false

    /// - Parameters:
    ///   - method: the request's method.
    ///   - groups: the number of branches in each group, highest priority first (`[2]` for
    ///     two parallel branches, `[1, 1]` for two serial ones). Branches are numbered in order.
    public init(method: SIPMethod, groups: [Int]) {
        self.isInvite = method == .invite
        var numbered: [[Int]] = []
        var next = 0
        for size in groups where size > 0 {
            numbered.append(Array(next..<(next + size)))
            next += size
        }
        self.groups = numbered
        self.branches = Array(repeating: Branch(), count: next)
    }

    /// The number of branches.
    public var branchCount: Int { branches.count }

    /// Starts the first group (or answers 408 at once when there is no branch: the caller
    /// normally answers 480 before building a context).
    public mutating func start() -> [Action] {
        var actions: [Action] = []
        startNextGroupOrFinish(&actions)
        return actions
    }

    /// A response from branch `index` (its client transaction passed it up).
    public mutating func receive(_ response: SIPResponse, branch index: Int) -> [Action] {
        guard branches.indices.contains(index), branches[index].state != .waiting else { return [] }
        var actions: [Action] = []
        if response.isProvisional {
            guard branches[index].state != .completed else { return [] }
            branches[index].state = .proceeding
            if isInvite { actions.append(.armTimerC(index)) }
            if branches[index].cancelRequested, !branches[index].cancelSent {
                branches[index].cancelSent = true
                actions.append(.cancelBranches([index]))
            }
            if response.statusCode != 100, !finalSent { actions.append(.forward(response)) }
            return actions
        }
        if response.isSuccess {
            if branches[index].state == .completed {
                // A further 2xx on an INVITE branch (retransmission or a fork behind it).
                if isInvite { actions.append(.forward(response)) }
                return actions
            }
            complete(index, &actions)
            if isInvite {
                actions.append(.forward(response))
                if !finalSent {
                    finalSent = true
                    closeAndCancelPending(&actions)
                }
            } else if !finalSent {
                finalSent = true
                isClosed = true
                actions.append(.forward(response))
            }
            finishIfDone(&actions)
            return actions
        }
        guard branches[index].state != .completed else { return [] }
        complete(index, &actions)
        responses.append(response)
        if response.statusCode >= 600, sixxx == nil {
            sixxx = response
            closeAndCancelPending(&actions)
        }
        advance(&actions)
        return actions
    }

    /// The branch's client transaction timed out (Timer B/F): a 408 (§16.8).
    public mutating func timedOut(branch index: Int) -> [Action] {
        generatedFinal(408, branch: index)
    }

    /// The branch's request could not be sent: a 503 (§16.9).
    public mutating func transportFailed(branch index: Int) -> [Action] {
        generatedFinal(503, branch: index)
    }

    /// Timer C fired on branch `index` (§16.8).
    public mutating func timerCFired(branch index: Int) -> [Action] {
        guard branches.indices.contains(index) else { return [] }
        switch branches[index].state {
        case .proceeding:
            guard !branches[index].cancelSent else { return [] }
            branches[index].cancelRequested = true
            branches[index].cancelSent = true
            return [.cancelBranches([index])]
        case .calling:
            return generatedFinal(408, branch: index)
        case .waiting, .completed:
            return []
        }
    }

    /// CANCEL from upstream (§16.10).
    public mutating func cancel() -> [Action] {
        guard !isFinished else { return [] }
        var actions: [Action] = []
        closeAndCancelPending(&actions)
        finishIfDone(&actions)
        return actions
    }

    // MARK: - Rules

    private mutating func generatedFinal(_ status: Int, branch index: Int) -> [Action] {
        guard branches.indices.contains(index), branches[index].state == .calling || branches[index].state == .proceeding
        else { return [] }
        var actions: [Action] = []
        complete(index, &actions)
        responses.append(SIPResponse(statusCode: status))
        advance(&actions)
        return actions
    }

    private mutating func complete(_ index: Int, _ actions: inout [Action]) {
        branches[index].state = .completed
        if isInvite { actions.append(.disarmTimerC(index)) }
    }

    /// Cancels every started branch that has not completed (those without a provisional
    /// response yet get the CANCEL on their first one, §9.1), and closes the context.
    private mutating func closeAndCancelPending(_ actions: inout [Action]) {
        isClosed = true
        guard isInvite else { return }  // §9.1: a non-INVITE request is not cancelled
        var now: [Int] = []
        for index in branches.indices {
            switch branches[index].state {
            case .proceeding where !branches[index].cancelSent:
                branches[index].cancelRequested = true
                branches[index].cancelSent = true
                now.append(index)
            case .calling:
                branches[index].cancelRequested = true
            default:
                break
            }
        }
        if !now.isEmpty { actions.append(.cancelBranches(now)) }
    }

    private mutating func advance(_ actions: inout [Action]) {
        guard currentGroupComplete else { return }
        startNextGroupOrFinish(&actions)
    }

    private var currentGroupComplete: Bool {
        guard nextGroup > 0 else { return true }
        return groups[nextGroup - 1].allSatisfy { branches[$0].state == .completed }
    }

    private mutating func startNextGroupOrFinish(_ actions: inout [Action]) {
        if !isClosed, nextGroup < groups.count {
            let group = groups[nextGroup]
            nextGroup += 1
            for index in group { branches[index].state = .calling }
            actions.append(.startBranches(group))
            if isInvite { actions += group.map { .armTimerC($0) } }
            return
        }
        finishIfDone(&actions)
    }

    private mutating func finishIfDone(_ actions: inout [Action]) {
        guard !isFinished, branches.allSatisfy({ $0.state == .completed || $0.state == .waiting }) else { return }
        guard isClosed || nextGroup >= groups.count else { return }
        isFinished = true
        if !finalSent {
            finalSent = true
            if let best = bestResponse() { actions.append(.forward(best)) } else { actions.append(.generate(statusCode: 408)) }
        }
        actions.append(.finished)
    }

    /// §16.7 step 6–7: the best final response among those received (no 2xx among them).
    func bestResponse() -> SIPResponse? {
        let chosen: SIPResponse
        if let sixxx {
            chosen = sixxx
        } else {
            guard let lowestClass = responses.map({ $0.statusCode / 100 }).min() else { return nil }
            let candidates = responses.filter { $0.statusCode / 100 == lowestClass }
            chosen = candidates.first { Self.preferred.contains($0.statusCode) } ?? candidates[0]
        }
        var response = chosen
        if response.statusCode == 503 {
            response.statusCode = 500
            response.reasonPhrase = "Server Internal Error"
        }
        if response.statusCode == 401 || response.statusCode == 407 {
            mergeChallenges(into: &response)
        }
        return response
    }

    /// 4xx codes preferred when choosing among client errors (§16.7 step 6).
    static let preferred: Set<Int> = [401, 407, 415, 420, 484]

    /// §16.7 step 7: every challenge of every 401/407 into the chosen one.
    private func mergeChallenges(into response: inout SIPResponse) {
        let chosenChallenges = response.headers.fields.filter(Self.isChallenge)
        var seen = Set(chosenChallenges.map { "\($0.name.canonical): \($0.value)" })
        for other in responses where other.statusCode == 401 || other.statusCode == 407 {
            for field in other.headers.fields where Self.isChallenge(field) {
                if seen.insert("\(field.name.canonical): \(field.value)").inserted { response.headers.append(field) }
            }
        }
    }

    static func isChallenge(_ field: SIPHeaderField) -> Bool {
        field.name == .wwwAuthenticate || field.name == .proxyAuthenticate
    }
}
