/// A `--since` duration as an operator writes it: `90` or `90s`, `10m`, `2h`, `1d`; whole
/// numbers, one unit. Parsed into seconds.
struct LogDuration: Sendable, Hashable {
    let seconds: Int64

    /// nil when `text` is not such a duration, or longer than 366 days.
    init?(_ text: String) {
        var digits = Substring(text)
        var multiplier: Int64 = 1
        if let unit = digits.last, !unit.isNumber {
            switch unit {
            case "s": multiplier = 1
            case "m": multiplier = 60
            case "h": multiplier = 3_600
            case "d": multiplier = 86_400
            default: return nil
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0 else {
            return nil
        }
        let seconds = value * multiplier
        guard seconds <= 366 * 86_400 else { return nil }
        self.seconds = seconds
    }
}
