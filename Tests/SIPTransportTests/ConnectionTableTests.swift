import NIOCore
import Testing

@testable import SIPTransport

@Suite("Connection table")
struct ConnectionTableTests {
    typealias Table = SIPConnectionTable<String>
    let phone = try! SocketAddress(ipAddress: "192.0.2.4", port: 41234)

    func entry(_ id: UInt64, _ transport: SIPTransportProtocol = .tcp, remote: SocketAddress? = nil) -> Table.Entry {
        Table.Entry(
            id: SIPConnectionID(rawValue: id), transport: transport, remote: remote ?? phone, local: nil, outbound: false,
            handle: "c\(id)")
    }

    @Test func reusesNewestConnectionToAddress() {
        var table = Table(maxConnections: 10)
        let r1 = table.insert(entry(1))
        #expect(r1)
        let r2 = table.insert(entry(2))
        #expect(r2)
        #expect(table.lookup(SIPDestination(transport: .tcp, address: phone))?.handle == "c2")
        table.remove(SIPConnectionID(rawValue: 2))
        #expect(table.lookup(SIPDestination(transport: .tcp, address: phone))?.handle == "c1")
        #expect(table.lookup(SIPDestination(transport: .tls, address: phone)) == nil)
    }

    @Test func connectionIDNamesAFlow() throws {
        var table = Table(maxConnections: 10)
        table.insert(entry(1))
        table.insert(entry(2, remote: try SocketAddress(ipAddress: "192.0.2.5", port: 5060)))
        let flow = SIPDestination(transport: .tcp, address: phone, connectionID: SIPConnectionID(rawValue: 2))
        #expect(table.lookup(flow)?.handle == "c2")
        let wrongTransport = SIPDestination(transport: .tls, address: phone, connectionID: SIPConnectionID(rawValue: 2))
        #expect(table.lookup(wrongTransport) == nil)
        table.remove(SIPConnectionID(rawValue: 2))
        #expect(table.lookup(flow)?.handle == "c1", "a gone flow falls back to the address")
    }

    @Test func enforcesMaxConnectionsAndUniqueIDs() {
        var table = Table(maxConnections: 2)
        let r3 = table.insert(entry(1))
        #expect(r3)
        let r4 = table.insert(entry(1))
        #expect(!r4)
        let r5 = table.insert(entry(2, .tls))
        #expect(r5)
        #expect(table.isFull)
        let r6 = table.insert(entry(3))
        #expect(!r6)
        #expect(table.count == 2)
        let r7 = table.remove(SIPConnectionID(rawValue: 1))
        #expect(r7?.handle == "c1")
        let r8 = table.remove(SIPConnectionID(rawValue: 1))
        #expect(r8 == nil)
        let r9 = table.insert(entry(3))
        #expect(r9)
        #expect(Set(table.allEntries.map(\.handle)) == ["c2", "c3"])
    }

    @Test func connectionIDsAreUnique() {
        let ids = (0..<100).map { _ in SIPConnectionID.next() }
        #expect(Set(ids).count == 100)
    }
}
