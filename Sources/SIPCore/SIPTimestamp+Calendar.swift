extension SIPTimestamp {
    /// A UTC calendar breakdown of an instant (proleptic Gregorian calendar), for the Date header
    /// (RFC 3261 §20.17) and ISO 8601 times in the admin API. Pure arithmetic: no locale, no time
    /// zone database, correct before 1970 too.
    public struct UTCComponents: Sendable, Hashable {
        public var year: Int64
        /// 1–12.
        public var month: Int64
        /// 1–31.
        public var day: Int64
        /// 0 = Sunday … 6 = Saturday.
        public var weekday: Int
        public var hour: Int64
        public var minute: Int64
        public var second: Int64
        public var millisecond: Int64
    }

    /// This instant's UTC date and time.
    public var utc: UTCComponents {
        let millis = millisecondsSince1970
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let msOfDay = millis - days * 86_400_000
        let (year, month, day) = Self.civil(daysSince1970: days)
        return UTCComponents(
            year: year, month: month, day: day, weekday: Int(((days % 7) + 11) % 7),  // 1970-01-01 was a Thursday
            hour: msOfDay / 3_600_000, minute: msOfDay / 60_000 % 60, second: msOfDay / 1000 % 60,
            millisecond: msOfDay % 1000)
    }

    /// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
    static func civil(daysSince1970: Int64) -> (Int64, Int64, Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
