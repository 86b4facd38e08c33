public import NIOCore

/// The table of open TCP/TLS connections (RFC 3261 §18.1.1 connection reuse, §18.2.2 responses
/// over the request's connection, RFC 5626 §5.3 requests over a registered flow).
///
/// A plain value: it indexes connections by ``SIPConnectionID`` and by (transport, remote
/// address) and enforces ``maxConnections``. The transport service keeps one behind a lock with
/// the channel as `Handle`; tests use any handle type. Idle timeouts are enforced per connection
/// by a `SIPIdleTimeoutHandler` in its pipeline, not here.
public struct SIPConnectionTable<Handle> {
    /// One open connection.
    public struct Entry {
        public var id: SIPConnectionID
        public var transport: SIPTransportProtocol
        public var remote: SocketAddress
        public var local: SocketAddress?
        /// True when we opened it (outbound request), false when the peer did.
        public var outbound: Bool
        public var handle: Handle

        public init(
            id: SIPConnectionID, transport: SIPTransportProtocol, remote: SocketAddress, local: SocketAddress?,
            outbound: Bool, handle: Handle
        ) {
            self.id = id
            self.transport = transport
            self.remote = remote
            self.local = local
            self.outbound = outbound
            self.handle = handle
        }
    }

    struct RemoteKey: Hashable {
        var transport: SIPTransportProtocol
        var remote: SocketAddress
    }

    /// Most entries; ``insert(_:)`` refuses more.
    public let maxConnections: Int
    private var entries: [SIPConnectionID: Entry] = [:]
    private var byRemote: [RemoteKey: [SIPConnectionID]] = [:]

    public init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    public var count: Int { entries.count }
    public var isFull: Bool { entries.count >= maxConnections }

    /// Adds a connection; false (and nothing added) when the table is full or the id is taken.
    @discardableResult
    public mutating func insert(_ entry: Entry) -> Bool {
        guard !isFull, entries[entry.id] == nil else { return false }
        entries[entry.id] = entry
        byRemote[RemoteKey(transport: entry.transport, remote: entry.remote), default: []].append(entry.id)
        return true
    }

    /// Removes a connection (when it closed).
    @discardableResult
    public mutating func remove(_ id: SIPConnectionID) -> Entry? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        let key = RemoteKey(transport: entry.transport, remote: entry.remote)
        byRemote[key]?.removeAll { $0 == id }
        if byRemote[key]?.isEmpty == true { byRemote[key] = nil }
        return entry
    }

    /// The connection with this id.
    public func entry(_ id: SIPConnectionID) -> Entry? { entries[id] }

    /// The connection to use for `destination`: the one named by its `connectionID` when still
    /// open and of the same transport (RFC 5626 flow), otherwise the newest open connection of
    /// that transport to that exact address, otherwise nil (open a new one).
    public func lookup(_ destination: SIPDestination) -> Entry? {
        if let id = destination.connectionID, let entry = entries[id], entry.transport == destination.transport {
            return entry
        }
        guard let ids = byRemote[RemoteKey(transport: destination.transport, remote: destination.address)],
            let newest = ids.last
        else { return nil }
        return entries[newest]
    }

    /// Every entry, in no particular order.
    public var allEntries: [Entry] { Array(entries.values) }
}

extension SIPConnectionTable: Sendable where Handle: Sendable {}
extension SIPConnectionTable.Entry: Sendable where Handle: Sendable {}
