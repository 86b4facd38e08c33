public import SIPCore

/// A ``Binding`` as the in-memory ``LocationService`` keeps it: every text field in one UTF-8
/// buffer, the numbers beside it. One object and one buffer per binding (about 250 bytes for a
/// typical registration) instead of a 260-byte struct of ten `String`s, three or four of them on
/// the heap, copied into several index tables. ``binding`` rebuilds the value when it is read.
final class StoredBinding: Sendable {
    /// The end offsets of the nine text fields (four bytes each, little-endian), then the fields:
    /// aor, contact, callID, instance, path (joined by LF), source, transport, localListener,
    /// userAgent. One allocation.
    private let text: [UInt8]
    private static let fieldCount = 9
    private static let headerSize = 4 * fieldCount
    private let flags: UInt8  // bit 0: instance present, bit 1: userAgent present
    let expiresAt: SIPTimestamp
    let registeredAt: SIPTimestamp
    let updatedAt: SIPTimestamp
    let connectionID: UInt64?
    let cseq: UInt32
    let regID: Int32?
    let q: Int16
    let instrument: SIPInstrumentID?

    init(_ binding: Binding) {
        let parts = [
            binding.aor, binding.contact, binding.callID, binding.instance ?? "",
            binding.path.joined(separator: "\n"), binding.source, binding.transport, binding.localListener,
            binding.userAgent ?? "",
        ]
        var text = [UInt8](repeating: 0, count: Self.headerSize)
        text.reserveCapacity(Self.headerSize + parts.reduce(0) { $0 + $1.utf8.count })
        for (index, part) in parts.enumerated() {
            text.append(contentsOf: part.utf8)
            let end = UInt32(text.count)
            for byte in 0..<4 { text[4 * index + byte] = UInt8(truncatingIfNeeded: end >> (8 * UInt32(byte))) }
        }
        self.text = text
        self.flags = (binding.instance != nil ? 1 : 0) | (binding.userAgent != nil ? 2 : 0)
        expiresAt = binding.expiresAt
        registeredAt = binding.registeredAt
        updatedAt = binding.updatedAt
        connectionID = binding.connectionID
        cseq = binding.cseq
        regID = binding.regID.map { Int32(clamping: $0) }
        q = Int16(clamping: binding.q)
        instrument = binding.instrument
    }

    private func end(_ index: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(text[4 * index + $1]) << (8 * $1) }
    }

    private func field(_ index: Int) -> String {
        let start = index == 0 ? Self.headerSize : end(index - 1)
        return String(decoding: text[start..<end(index)], as: UTF8.self)
    }

    var aor: String { field(0) }
    var instance: String? { flags & 1 != 0 ? field(3) : nil }

    /// The key of the binding (RFC 5626 §6 / RFC 3261 §10.3).
    var key: BindingKey { BindingKey(aor: aor, contact: field(1), instance: instance, regID: regID.map(Int.init)) }

    func isExpired(at now: SIPTimestamp) -> Bool { expiresAt <= now }

    /// The binding as a value.
    var binding: Binding {
        let path = field(4)
        return Binding(
            aor: field(0), contact: field(1), expiresAt: expiresAt, q: Int(q), callID: field(2), cseq: cseq,
            instrument: instrument, instance: instance, regID: regID.map(Int.init),
            path: path.isEmpty ? [] : path.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
            source: field(5), transport: field(6), connectionID: connectionID, localListener: field(7),
            userAgent: flags & 2 != 0 ? field(8) : nil, registeredAt: registeredAt, updatedAt: updatedAt)
    }
}
