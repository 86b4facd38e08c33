/// The most recent records, oldest overwritten first: a fixed-capacity circular buffer (a
/// plain value with no locking; ``LogTap`` guards it). Appending is O(1) and never allocates
/// once the buffer is full.
public struct LogRingBuffer: Sendable {
    /// Most records held.
    public let capacity: Int
    private var storage: [LogRecord] = []
    /// Where the next record goes once the buffer is full.
    private var next = 0
    /// Records overwritten since creation.
    public private(set) var overwritten = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { storage.count }

    public mutating func append(_ record: LogRecord) {
        if storage.count < capacity {
            storage.append(record)
        } else {
            storage[next] = record
            next = (next + 1) % capacity
            overwritten += 1
        }
    }

    /// The records held, oldest first.
    public var records: [LogRecord] {
        Array(storage[next...] + storage[..<next])
    }

    /// The records held that satisfy `isIncluded`, oldest first.
    public func records(where isIncluded: (LogRecord) -> Bool) -> [LogRecord] {
        var out: [LogRecord] = []
        for index in next..<storage.count where isIncluded(storage[index]) { out.append(storage[index]) }
        for index in 0..<next where isIncluded(storage[index]) { out.append(storage[index]) }
        return out
    }
}
