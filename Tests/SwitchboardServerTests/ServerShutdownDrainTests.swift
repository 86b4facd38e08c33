import AdminAPI
import Foundation
import GRDB
import SIPAuth
import SIPCore
import SIPTestSupport
import SIPTransport
import SwitchboardServer
import Testing

/// SIGTERM while a REGISTER's commit is under way: the transport stops reading, lets the
/// answers of what it already took in go out once the store has them, then closes. The REGISTER
/// is committed and its 200 reaches the phone (before, the 200 was never sent).
@Suite("Server: graceful shutdown answers the REGISTERs it took in", .timeLimit(.minutes(2)))
struct ServerShutdownDrainTests {
    @Test("A REGISTER committed during graceful shutdown still gets its 200")
    func inFlightRegisterIsAnswered() async throws {
        try await RunningServer.with { server in
            let app = server.application
            try await ServerOperationsTests.addUsers(server, ["69"])
            // Another connection holds SQLite's write lock: the binding writer's commit waits
            // (busy timeout, 5 s) until the test releases it.
            let blocker = WriteLockHolder(path: app.configuration.dataDirectory + "/switchboard.sqlite")
            try await withClient(.udp, to: try server.address(.udp)) { client in
                try await client.send(Requests.register(client, user: "69", callID: "drain-1", cseq: 1))
                let challenge = try #require(try await client.inbox.nextFinalResponse().wwwAuthenticates().first)
                let authorization = DigestClient.credentials(
                    answering: challenge, username: "69/0000DEADBEEF", password: "pw-69", method: "REGISTER",
                    digestURI: "sip:example.net", nonceCount: 1, cnonce: "0a1b2c3d"
                ).description
                try await blocker.lock()
                try await client.send(Requests.register(client, user: "69", callID: "drain-1", cseq: 2, authorization: authorization))
                try await ServerOperationsTests.eventually("the commit to be under way") {
                    // The registrar submitted the binding: it waits in the writer for the lock.
                    app.commitBacklog > 0
                }
                let shutdown = Task { await server.beginShutdown() }
                // Give the shutdown time to reach the transport (the services before it stop first).
                try await Task.sleep(for: .milliseconds(500))
                blocker.release()
                let answer = try await client.inbox.nextFinalResponse(within: 5)
                #expect(answer.statusCode == 200, "the REGISTER taken in before SIGTERM is answered")
                await shutdown.value
            }
        }
    }
}

/// Holds SQLite's write lock (`BEGIN IMMEDIATE`) on its own thread (GRDB does not let a
/// transaction outlive one database access, and the wait must not block a task's thread) until
/// ``release()``; at most 10 s.
final class WriteLockHolder: Sendable {
    let path: String
    private let released = DispatchSemaphore(value: 0)

    init(path: String) { self.path = path }

    func lock() async throws {
        let path = self.path
        let released = self.released
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                do {
                    let queue = try DatabaseQueue(path: path)
                    try queue.inDatabase { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        continuation.resume()
                        _ = released.wait(timeout: .now() + 10)
                        try db.execute(sql: "COMMIT")
                    }
                    try queue.close()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    func release() { released.signal() }
}
