extension SIPTimestamp {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// This instant as an HTTP date (RFC 9110 §5.6.7 IMF-fixdate; the SIP Date header of
    /// RFC 3261 §20.17 is the same RFC 1123 form, always GMT): `Sat, 13 Nov 2010 23:29:00 GMT`.
    /// Milliseconds are dropped.
    public var httpDate: String {
        let t = utc
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(Self.weekdays[t.weekday]), \(two(t.day)) \(Self.months[Int(t.month) - 1]) \(t.year) "
            + "\(two(t.hour)):\(two(t.minute)):\(two(t.second)) GMT"
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the form every
    /// current client sends in `If-Modified-Since`; nil for anything else (the obsolete RFC 850
    /// and asctime forms included: the condition is then ignored, as §13.1.3 allows for an
    /// invalid date). The weekday is not checked against the date.
    public init?(httpDate text: some StringProtocol) {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int64(parts[1]), parts[1].count == 2, (1...31).contains(day),
            let monthIndex = Self.months.firstIndex(where: { $0 == parts[2] }),
            let year = Int64(parts[3]), parts[3].count == 4
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = Int64(clock[0]), let minute = Int64(clock[1]),
            let second = Int64(clock[2]), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = Self.daysSince1970(year: year, month: Int64(monthIndex + 1), day: day)
        self.init(millisecondsSince1970: ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's days-from-civil, the inverse of
    /// ``civil(daysSince1970:)``).
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
