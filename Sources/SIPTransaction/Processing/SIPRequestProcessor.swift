public import SIPCore

/// One step of the request path (the transaction user of RFC 3261 §8.2 / §16): a processor looks
/// at a new request and says what happens next. Modelled on reSIProcate repro's request
/// processors ("monkeys") and Hummingbird's middleware.
///
/// A processor has one job (Max-Forwards, OPTIONS to us, CANCEL, REGISTER, …). It runs
/// synchronously on the event loop that received the request, must not block, and talks to later
/// processors only through the ``SIPRequestContext``. It never sends a response itself except
/// after ``SIPProcessorAction/takeOver``: it returns one, or throws a ``SIPResponseError`` that
/// the chain renders.
///
/// Processors are assembled into a ``SIPProcessorChain`` once, at start, in one function of the
/// server, and are immutable afterwards.
public protocol SIPRequestProcessor: Sendable {
    /// What this processor handles and supports; the chain derives `Allow`, `Supported` and
    /// `Accept` from the union of them (RFC 3261 §11.2, §20.5, §20.37, §20.1).
    var capabilities: SIPProcessorCapabilities { get }

    /// Processes a new request.
    /// - Returns: ``SIPProcessorAction/continue`` to pass it on, ``SIPProcessorAction/respond(_:)``
    ///   to answer it now, or ``SIPProcessorAction/takeOver`` when the processor owns the
    ///   transaction from now on and will answer through ``SIPRequestContext/respond(_:)`` (after a
    ///   storage commit, on the request's event loop).
    /// - Throws: a ``SIPResponseError`` to answer with that error.
    func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction
}

extension SIPRequestProcessor {
    public var capabilities: SIPProcessorCapabilities { SIPProcessorCapabilities() }
}

/// What a processor returns.
public enum SIPProcessorAction: Sendable {
    /// Not mine: the next processor sees the request.
    case `continue`
    /// Answer with this response now (the chain sends it through the transaction and logs the
    /// request's event for a final response).
    case respond(SIPResponse)
    /// The processor owns the transaction and answers it later through
    /// ``SIPRequestContext/respond(_:)``; no later processor sees the request.
    case takeOver
}

/// The methods, extensions, body types and event packages processors handle.
public struct SIPProcessorCapabilities: Sendable, Hashable {
    /// Methods answered by something other than 501 (for `Allow`, RFC 3261 §20.5).
    public let methods: [SIPMethod]
    /// Option tags supported (RFC 3261 §20.37, §8.2.2.3).
    public let supported: [String]
    /// Body types accepted (RFC 3261 §20.1).
    public let accept: [String]
    /// Event packages notified (RFC 6665 §8.2.2 `Allow-Events`).
    public let events: [String]
    /// The header values, written once: `Allow`, `Supported`, `Accept`, `Allow-Events`.
    public let allowValue: String
    public let supportedValue: String
    public let acceptValue: String
    public let eventsValue: String

    public init(methods: [SIPMethod] = [], supported: [String] = [], accept: [String] = [], events: [String] = []) {
        self.methods = methods
        self.supported = supported
        self.accept = accept
        self.events = events
        allowValue = methods.map(\.rawValue).joined(separator: ", ")
        supportedValue = supported.joined(separator: ", ")
        acceptValue = accept.joined(separator: ", ")
        eventsValue = events.joined(separator: ", ")
    }

    /// The union, each list keeping first-seen order without duplicates (option tags and
    /// packages compared without case).
    public func merged(with other: SIPProcessorCapabilities) -> SIPProcessorCapabilities {
        SIPProcessorCapabilities(
            methods: Self.union(methods, other.methods, key: \.rawValue),
            supported: Self.union(supported, other.supported) { $0.lowercased() },
            accept: Self.union(accept, other.accept) { $0.lowercased() },
            events: Self.union(events, other.events) { $0.lowercased() })
    }

    private static func union<T>(_ a: [T], _ b: [T], key: (T) -> String) -> [T] {
        var seen = Set(a.map(key))
        var result = a
        for item in b where seen.insert(key(item)).inserted { result.append(item) }
        return result
    }
}
