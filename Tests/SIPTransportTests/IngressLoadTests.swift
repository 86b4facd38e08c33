import Testing

@testable import SIPTransport

@Suite("SIPIngressLoad: a UDP socket is backlogged only when every read cycle stays full")
struct IngressLoadTests {
    let start = ContinuousClock.now

    @Test("Full cycles for less than backlogAfter: not backlogged; a non-full cycle resets the run")
    func transientBurstsAreNotOverload() {
        let load = SIPIngressLoad(maxMessagesPerRead: 16, backlogAfter: .milliseconds(300))
        var socket = SIPIngressLoad.Socket()
        load.cycleEnded(reads: 16, socket: &socket, now: start)
        load.cycleEnded(reads: 16, socket: &socket, now: start + .milliseconds(250))
        #expect(!load.isBacklogged)
        load.cycleEnded(reads: 3, socket: &socket, now: start + .milliseconds(260))
        load.cycleEnded(reads: 16, socket: &socket, now: start + .milliseconds(400))
        load.cycleEnded(reads: 16, socket: &socket, now: start + .milliseconds(600))
        #expect(!load.isBacklogged, "the run restarted at 400 ms")
    }

    @Test("Every cycle full for backlogAfter: backlogged until a cycle is not full; two sockets count apart")
    func sustainedBacklog() {
        let load = SIPIngressLoad(maxMessagesPerRead: 16, backlogAfter: .milliseconds(300))
        var a = SIPIngressLoad.Socket()
        var b = SIPIngressLoad.Socket()
        for ms in stride(from: 0, through: 300, by: 50) {
            load.cycleEnded(reads: 16, socket: &a, now: start + .milliseconds(ms))
            load.cycleEnded(reads: 16, socket: &b, now: start + .milliseconds(ms))
        }
        #expect(load.isBacklogged)
        load.cycleEnded(reads: 15, socket: &a, now: start + .milliseconds(350))
        #expect(load.isBacklogged, "b is still behind")
        load.socketClosed(&b)
        #expect(!load.isBacklogged)
    }
}
