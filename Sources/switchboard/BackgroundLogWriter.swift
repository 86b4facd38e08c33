import Foundation

/// Takes formatted log lines from any thread and writes them from one dedicated thread, in
/// batches: whatever accumulated since the last write goes out in one `output` call (one
/// `write(2)` for stderr). Callers never wait for I/O: they append to a bounded
/// ``LogLineBuffer`` under a short lock. When the buffer is full the line is dropped and
/// counted, and the next batch ends with a line from `dropReport` ("log: dropped N lines").
///
/// The first line into an empty buffer wakes the thread, which then lets lines gather for
/// `linger` (less once the buffer is half full) before it writes: under load that is one wake-up
/// and one write per `linger`, not one per line, and the appending threads (event loops) make no
/// system call at all while the writer is lingering.
///
/// ``flush()`` writes what is pending on the calling thread (with the writer thread excluded,
/// so order is kept); ``stop()`` flushes and ends the thread. Tests inject `output` and call
/// ``flush()`` without starting the thread.
final class BackgroundLogWriter: @unchecked Sendable {
    // @unchecked Sendable: `buffer`, `wakeUp` and `phase` are only used with
    // `condition` locked; `batch` only with `writeLock` held. `output` and `dropReport` are
    // Sendable closures.

    /// Receives one batch of bytes (complete lines).
    typealias Output = @Sendable (UnsafeRawBufferPointer) -> Void

    private enum Phase { case idle, running, stopping, stopped }
    /// When an append must signal the writer thread.
    private enum WakeUp { case never, onAnyLine, whenHalfFull }

    private let condition = NSCondition()
    private let writeLock = NSLock()
    private var buffer: LogLineBuffer
    private var batch: [UInt8] = []
    private var wakeUp = WakeUp.never
    private var phase = Phase.idle
    private let linger: TimeInterval
    private let output: Output
    private let dropReport: @Sendable (Int) -> [UInt8]

    /// - Parameters:
    ///   - capacity: most bytes buffered; beyond it lines are dropped (default 1 MiB).
    ///   - linger: how long the writer thread lets lines gather before a write (default 20 ms).
    ///   - dropReport: the line that reports N dropped lines, in the log's format.
    ///   - output: where batches go; ``standardError`` by default.
    init(
        capacity: Int = 1 << 20, linger: Duration = .milliseconds(20),
        dropReport: @escaping @Sendable (Int) -> [UInt8], output: @escaping Output = BackgroundLogWriter.standardError
    ) {
        buffer = LogLineBuffer(capacity: capacity)
        let (seconds, attoseconds) = linger.components
        self.linger = Double(seconds) + Double(attoseconds) / 1e18
        self.dropReport = dropReport
        self.output = output
    }

    /// Starts the writer thread (once).
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard phase == .idle else { return }
        phase = .running
        let thread = Thread { [self] in runWriterThread() }
        thread.name = "switchboard-log"
        thread.start()
    }

    /// Queues one formatted line (ending in a newline), or drops and counts it when the buffer is
    /// full. Never blocks on I/O.
    func append(_ line: [UInt8]) {
        condition.lock()
        buffer.append(line)
        let wake: Bool
        switch wakeUp {
        case .never: wake = false
        case .onAnyLine: wake = true
        case .whenHalfFull: wake = buffer.bytes.count >= buffer.capacity / 2
        }
        if wake { wakeUp = .never }
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Writes everything appended so far, on the calling thread, and returns when it is written.
    func flush() {
        writeLock.lock()
        defer { writeLock.unlock() }
        writePendingBatch()
    }

    /// Flushes, ends the writer thread and waits for it. Lines appended later are only written
    /// by an explicit ``flush()``.
    func stop() {
        condition.lock()
        if phase == .running {
            phase = .stopping
            condition.broadcast()
            while phase != .stopped { condition.wait() }
        }
        condition.unlock()
        flush()
    }

    private func runWriterThread() {
        while true {
            condition.lock()
            while buffer.isEmpty && phase == .running {
                wakeUp = .onAnyLine
                condition.wait()
            }
            // Let more lines gather, unless stopping or the buffer is half full already.
            let deadline = Date(timeIntervalSinceNow: linger)
            while phase == .running && buffer.bytes.count < buffer.capacity / 2 {
                wakeUp = .whenHalfFull
                if !condition.wait(until: deadline) { break }
            }
            wakeUp = .never
            if phase == .stopping && buffer.isEmpty {
                phase = .stopped
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            flush()
        }
    }

    /// Moves the pending lines into `batch` and writes them with one `output` call. Call with
    /// `writeLock` held.
    private func writePendingBatch() {
        condition.lock()
        let dropped = buffer.take(into: &batch)
        condition.unlock()
        if dropped > 0 { batch.append(contentsOf: dropReport(dropped)) }
        guard !batch.isEmpty else { return }
        batch.withUnsafeBytes(output)
    }

    /// Writes `bytes` to stderr with as few `write(2)` calls as the kernel allows (one, unless
    /// it takes a partial write); retries on EINTR and gives up on any other error.
    static let standardError: Output = { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
