public import SIPCore
public import SIPTransport

/// A TU's reference to one server transaction (RFC 3261 §17.2): the request that created it,
/// where it came from, and the way to respond. Copyable and Sendable: the TU may respond from
/// any task. Two handles are equal when they name the same transaction.
public struct SIPServerTransactionHandle: Sendable, Hashable {
    /// The §17.2.3 matching key.
    public let key: SIPServerTransactionKey
    /// The request that created the transaction.
    public let request: SIPRequest
    /// Where it came from; responses go back there (§18.2.2).
    public let source: SIPSource
    let id: UInt64
    let layer: SIPTransactionLayer

    init(key: SIPServerTransactionKey, id: UInt64, request: SIPRequest, source: SIPSource, layer: SIPTransactionLayer) {
        self.key = key
        self.id = id
        self.request = request
        self.source = source
        self.layer = layer
    }

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

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id && lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(key)
    }
}
