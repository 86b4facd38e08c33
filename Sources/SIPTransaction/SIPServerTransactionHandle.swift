public import NIOCore
public import SIPCore
public import SIPTransport

/// A TU's reference to one server transaction (RFC 3261 §17.2): the request that created it, its
/// essential headers parsed once (``SIPRequestEssentials``), where it came from, the event loop
/// that received it, and the way to respond. Copyable and Sendable (two references): the TU may
/// respond from any thread. Two handles are equal when they name the same transaction.
public struct SIPServerTransactionHandle: Sendable, Hashable {
    let record: ServerTransactionRecord
    let layer: SIPTransactionLayer

    init(record: ServerTransactionRecord, layer: SIPTransactionLayer) {
        self.record = record
        self.layer = layer
    }

    /// The §17.2.3 matching key.
    public var key: SIPServerTransactionKey { record.key }
    /// The request that created the transaction.
    public var request: SIPRequest { record.request }
    /// Its top Via (stamped), From, To, Call-ID, CSeq and Max-Forwards, parsed once.
    public var essentials: SIPRequestEssentials { record.essentials }
    /// Where it came from; responses go back there (§18.2.2).
    public var source: SIPSource { record.source }
    /// The event loop that received the request, when it came from the transport. Work that
    /// must wait (a storage commit) resumes on it.
    public var eventLoop: (any EventLoop)? { record.eventLoop }
    var id: UInt64 { record.id }
    /// The transaction layer that owns the transaction: a proxy core starts its client
    /// transactions there (RFC 3261 §16.6 step 10).
    public var transactionLayer: SIPTransactionLayer { layer }

    /// True when the request came over TCP or TLS.
    public var isReliable: Bool { source.transport.isStream }

    /// Sends `response` through the transaction (§17.2.1, §17.2.2).
    ///
    /// Throws ``SIPTransactionError/Code/transactionTerminated`` when the transaction is gone or
    /// its state does not accept the response (a second final response, a non-2xx after a 2xx),
    /// and ``SIPTransactionError/Code/invalidResponse`` for a status outside 100–699.
    public func respond(_ response: SIPResponse) throws(SIPTransactionError) {
        try layer.respond(response, on: self)
    }

    /// Builds `SIPResponse(answering:)` for the request and sends it.
    public func respond(statusCode: Int, reasonPhrase: String? = nil, toTag: String? = nil) throws(SIPTransactionError) {
        try respond(SIPResponse(answering: request, statusCode: statusCode, reasonPhrase: reasonPhrase, toTag: toTag))
    }

    /// §9.2: the INVITE server transaction this CANCEL cancels, if it has not sent a final
    /// response yet (see ``SIPTransactionLayer/inviteTransaction(forCancel:)``).
    public func cancelledInviteTransaction() -> SIPServerTransactionHandle? {
        layer.inviteTransaction(forCancel: self)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.record === rhs.record }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(record)) }
}

/// What a server transaction knows about its request, shared by every copy of its handle.
/// Immutable after creation.
final class ServerTransactionRecord: Sendable {
    let key: SIPServerTransactionKey
    let id: UInt64
    let request: SIPRequest
    let essentials: SIPRequestEssentials
    let source: SIPSource
    let eventLoop: (any EventLoop)?

    init(
        key: SIPServerTransactionKey, id: UInt64, request: SIPRequest, essentials: SIPRequestEssentials,
        source: SIPSource, eventLoop: (any EventLoop)?
    ) {
        self.key = key
        self.id = id
        self.request = request
        self.essentials = essentials
        self.source = source
        self.eventLoop = eventLoop
    }
}
