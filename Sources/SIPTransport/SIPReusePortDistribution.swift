import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Spreads the datagrams of one UDP listener over its sockets (one per event loop) at random,
/// Linux only.
///
/// With `SO_REUSEPORT` the kernel picks a socket by hashing the datagram's addresses, so every
/// datagram of one client address lands on the same socket — and on one event loop. Phones come
/// from many addresses and spread by themselves; a single busy peer (an SBC, a load generator,
/// a proxy in front of us) would not. A classic-BPF program attached to the reuse-port group
/// (`SO_ATTACH_REUSEPORT_CBPF`) returns a random socket index instead, so every loop shares the
/// work whatever the sender. The SIP layers above do not care which loop a message arrives on
/// (transactions are matched under the table's locks, §17.2.3).
enum SIPReusePortDistribution {
    /// `SO_ATTACH_REUSEPORT_CBPF` (linux/socket.h).
    static let attachReusePortCBPF: CInt = 51

    /// `struct sock_filter` (linux/filter.h).
    struct Instruction {
        var code: UInt16
        var jt: UInt8
        var jf: UInt8
        var k: UInt32
    }

    /// `struct sock_fprog` (linux/filter.h); the pointer is valid while the option is set.
    struct Program: @unchecked Sendable {
        var length: UInt16
        var filter: UnsafeMutablePointer<Instruction>
    }

    /// `A = random(); A %= sockets; return A` — SKF_AD_OFF (-0x1000) + SKF_AD_RANDOM (56).
    static func instructions(sockets: Int) -> [Instruction] {
        [
            Instruction(code: 0x20, jt: 0, jf: 0, k: UInt32(bitPattern: -0x1000 + 56)),  // BPF_LD|BPF_W|BPF_ABS
            Instruction(code: 0x94, jt: 0, jf: 0, k: UInt32(sockets)),  // BPF_ALU|BPF_MOD|BPF_K
            Instruction(code: 0x16, jt: 0, jf: 0, k: 0),  // BPF_RET|BPF_A
        ]
    }

    /// Attaches the random-distribution program to the reuse-port group of `channel` (any of
    /// its sockets). Failure is harmless (the kernel keeps hashing), so it is only reported.
    static func attach(to channel: any Channel, sockets: Int) async throws {
        #if os(Linux)
        guard sockets > 1, let provider = channel as? any SocketOptionProvider else { return }
        let code = instructions(sockets: sockets)
        let filter = UnsafeMutablePointer<Instruction>.allocate(capacity: code.count)
        filter.initialize(from: code, count: code.count)
        defer { filter.deallocate() }
        let program = Program(length: UInt16(code.count), filter: filter)
        try await provider.unsafeSetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(attachReusePortCBPF), value: program
        ).get()
        #endif
    }
}
