/// Formatted log lines waiting to be written: a byte buffer bounded by `capacity` that drops,
/// and counts, a line that does not fit whole. A plain value with no locking:
/// ``BackgroundLogWriter`` guards it.
struct LogLineBuffer {
    /// Most bytes held at once.
    let capacity: Int
    /// The lines appended since the last ``take(into:)``, in order, each ending in a newline.
    private(set) var bytes: [UInt8] = []
    /// Lines dropped since the last ``take(into:)`` because they did not fit.
    private(set) var droppedLines = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        bytes.reserveCapacity(min(self.capacity, 64 * 1024))
    }

    /// True when there is nothing to write and nothing to report.
    var isEmpty: Bool { bytes.isEmpty && droppedLines == 0 }

    /// Appends `line` whole, or drops it and counts the drop when it would not fit.
    /// - Returns: whether the line was kept.
    @discardableResult
    mutating func append(_ line: [UInt8]) -> Bool {
        guard bytes.count + line.count <= capacity else {
            droppedLines += 1
            return false
        }
        bytes.append(contentsOf: line)
        return true
    }

    /// Hands everything over: the pending bytes move to `batch`, whose (emptied) storage the
    /// buffer keeps using, so the two arrays take turns and no line is copied twice.
    /// - Returns: the number of lines dropped since the previous call (the count restarts at 0).
    mutating func take(into batch: inout [UInt8]) -> Int {
        batch.removeAll(keepingCapacity: true)
        swap(&bytes, &batch)
        defer { droppedLines = 0 }
        return droppedLines
    }
}
