import SIPCore
import Synchronization

/// Formats the Date header (RFC 3261 §20.17: an RFC 1123 date, always GMT), e.g.
/// `Sat, 13 Nov 2010 23:29:00 GMT`.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ time: SIPTimestamp) -> String {
        let t = time.utc
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[t.weekday]), \(two(t.day)) \(months[Int(t.month) - 1]) \(t.year) "
            + "\(two(t.hour)):\(two(t.minute)):\(two(t.second)) GMT"
    }

    /// The last second formatted: every 200 OK of one second carries the same Date, so it is
    /// written once per second rather than once per REGISTER.
    private static let last = Mutex<(second: Int64, text: String)>((.min, ""))

    /// ``format(_:)``, remembered for the current second.
    static func formatCached(_ time: SIPTimestamp) -> String {
        let second = time.secondsSince1970
        if let hit = last.withLock({ $0.second == second ? $0.text : nil }) { return hit }
        let text = format(time)
        last.withLock { $0 = (second, text) }
        return text
    }
}
