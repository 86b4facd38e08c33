public import SIPCore

/// Formats a ``SIPTimestamp`` as an ISO 8601 / RFC 3339 §5.6 UTC date-time with milliseconds,
/// `2025-01-31T08:00:00.000Z` — the form of every time in admin API bodies. Pure arithmetic
/// (the calendar arithmetic of ``SIPTimestamp/utc``), no locale or time zone database.
public enum ISO8601Time {
    public static func format(_ time: SIPTimestamp) -> String {
        let t = time.utc
        return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))T\(pad(t.hour, 2)):\(pad(t.minute, 2)):"
            + "\(pad(t.second, 2)).\(pad(t.millisecond, 3))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
