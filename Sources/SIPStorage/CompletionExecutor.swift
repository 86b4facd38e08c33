/// Where the completion of a storage operation runs: for a SIP request, the event loop that
/// received it, so that everything after a commit happens on the request's own thread again.
///
/// Storage targets do not import NIO; the caller wraps its event loop:
/// `CompletionExecutor(id: ObjectIdentifier(loop), execute: { loop.execute($0) })`.
/// Completions with the same ``id`` are handed over together (one wake-up per batch).
public struct CompletionExecutor: Sendable {
    /// Identity of the underlying executor (the event loop object).
    public let id: ObjectIdentifier
    private let run: @Sendable (@escaping @Sendable () -> Void) -> Void

    public init(id: ObjectIdentifier, execute: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.id = id
        self.run = execute
    }

    /// Runs `work` on the executor.
    public func execute(_ work: @escaping @Sendable () -> Void) { run(work) }

    private final class ImmediateToken: Sendable {}
    private static let immediateToken = ImmediateToken()

    /// Runs work at once, on the calling thread (the writer's task): for callers that wait with
    /// `await` and tests.
    public static let immediate = CompletionExecutor(id: ObjectIdentifier(immediateToken), execute: { $0() })
}
