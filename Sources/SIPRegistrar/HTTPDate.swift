import SIPCore
import Synchronization

/// The Date header of the registrar's answers (RFC 3261 §20.17: an RFC 1123 date, always GMT,
/// ``SIPTimestamp/httpDate``), remembered for the current second: every 200 OK of one second
/// carries the same Date, so it is written once per second rather than once per REGISTER.
enum HTTPDate {
    private static let last = Mutex<(second: Int64, text: String)>((.min, ""))

    /// `time.httpDate`, remembered for the current second.
    static func formatCached(_ time: SIPTimestamp) -> String {
        let second = time.secondsSince1970
        if let hit = last.withLock({ $0.second == second ? $0.text : nil }) { return hit }
        let text = time.httpDate
        last.withLock { $0 = (second, text) }
        return text
    }
}
