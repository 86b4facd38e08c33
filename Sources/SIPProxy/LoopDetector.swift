public import SIPCore
public import SIPTransaction

/// Loop detection (RFC 3261 §16.3 step 4, §16.6 step 8): the branch of every Via we write is
/// `z9hG4bK` + `sb` + a hash of the request's fields that affect its routing + `.` + a random
/// part. A request that arrives with a Via of ours whose hash equals the hash of the request as
/// it arrives now has been here in the same state before: a loop, answered 482. A different
/// hash is a spiral (the request came back changed, e.g. with a new Request-URI) and passes.
///
/// Hashed (§16.6 step 8): Request-URI, To tag, From tag, Call-ID, CSeq number, Proxy-Require,
/// Proxy-Authorization and the top Route, with FNV-1a (64 bits; stable across processes).
public struct LoopDetector: Sendable {
    /// The prefix of our branches after the magic cookie.
    public static let marker = "sb"

    public init() {}

    /// The loop-detection hash of `request`, 16 hex digits.
    public static func hash(_ request: SIPRequest, essentials: SIPRequestEssentials) -> String {
        var hasher = FNV1a()
        hasher.add(request.uri.description)
        hasher.add(essentials.to.tag ?? "")
        hasher.add(essentials.from.tag ?? "")
        hasher.add(essentials.callID)
        hasher.add(String(essentials.cseq.sequence))
        for name in [SIPHeaderName.proxyRequire, .proxyAuthorization] {
            for field in request.headers.all(name) { hasher.add(String(field.value)) }
        }
        if let route = request.headers.first(.route) { hasher.add(String(route.value)) }
        let hex = String(hasher.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A new branch for a request with loop hash `hash`.
    public static func branch(hash: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return SIPVia.magicCookie + marker + hash + "." + String(generator.next() as UInt64, radix: 36)
    }

    /// The loop hash in one of our branches, nil for any other branch.
    public static func loopHash(inBranch branch: String) -> Substring? {
        let prefix = SIPVia.magicCookie + marker
        guard branch.hasPrefix(prefix), let dot = branch.firstIndex(of: ".") else { return nil }
        return branch[branch.index(branch.startIndex, offsetBy: prefix.count)..<dot]
    }

    /// True when `request` carries a Via of ours (sent-by one of `listeners`) with the hash the
    /// request has now.
    public static func isLooped(_ request: SIPRequest, essentials: SIPRequestEssentials, listeners: ProxyListeners)
        -> Bool
    {
        let viaLines = request.headers.all(.via)
        guard viaLines.count > 1 || viaLines.first?.value.contains(",") == true, let vias = try? request.vias()
        else { return false }
        var hash: String?
        for via in vias where listeners.isOurSentBy(via) {
            guard let branch = via.branch, let previous = loopHash(inBranch: branch) else { continue }
            let now = hash ?? Self.hash(request, essentials: essentials)
            hash = now
            if previous == now { return true }
        }
        return false
    }
}

/// The ``LoopDetector`` as a step of the chain: 482 Loop Detected.
public struct LoopDetectionProcessor: SIPRequestProcessor {
    let listeners: ProxyListeners

    public init(listeners: ProxyListeners) {
        self.listeners = listeners
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method != .ack, context.request.method != .cancel,
            LoopDetector.isLooped(context.request, essentials: context.essentials, listeners: listeners)
        else { return .continue }
        throw SIPResponseError(482, "Loop Detected", outcome: context.request.method.rawValue.lowercased() + ".loop_detected")
    }
}

/// 64-bit FNV-1a over UTF-8, with a separator between fields.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        value ^= 0x1F
        value &*= 0x100_0000_01b3
    }
}
