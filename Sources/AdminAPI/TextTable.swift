/// Plain-text tables for the CLI's human-readable output (`switchboard registrations`,
/// `switchboard user list`): left-aligned columns separated by two spaces, widths from the widest
/// cell (counted in characters), no trailing blanks.
public struct TextTable: Sendable, Hashable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as lines joined with `\n`, with a trailing newline. Short rows are padded with
    /// empty cells; control characters in cells are shown as `?` so a hostile User-Agent cannot
    /// move the terminal's cursor.
    public func render() -> String {
        let columns = max(headers.count, rows.map(\.count).max() ?? 0)
        let all = ([headers] + rows).map { row in
            (0..<columns).map { index in index < row.count ? Self.printable(row[index]) : "" }
        }
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var out = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < columns - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// The table fitted into `maxWidth` columns: while it is wider, the widest column is cut
    /// (its cells end in `…`), but no column below 8 characters. nil or a table that fits: as
    /// ``render()``.
    public func render(maxWidth: Int?) -> String {
        guard let maxWidth else { return render() }
        let columns = max(headers.count, rows.map(\.count).max() ?? 0)
        let all = ([headers] + rows).map { row in
            (0..<columns).map { index in index < row.count ? Self.printable(row[index]) : "" }
        }
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let separators = max(0, columns - 1) * 2
        while widths.reduce(0, +) + separators > maxWidth, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
            widths[widest] > 8
        {
            widths[widest] -= 1
        }
        let cut = all.map { row in
            row.enumerated().map { index, cell in cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell }
        }
        return TextTable(headers: cut[0], rows: Array(cut.dropFirst())).render()
    }

    private static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}

extension TextTable {
    /// The table `switchboard registrations` prints: one row per binding.
    public static func registrations(_ registrations: [AdminRegistration]) -> TextTable {
        TextTable(
            headers: ["AOR", "INSTRUMENT", "CONTACT", "EXPIRES", "TRANSPORT", "SOURCE", "INSTANCE", "REG-ID", "USER-AGENT"],
            rows: registrations.map { r in
                [
                    r.aor, r.instrument ?? "-", r.contact, "\(r.expires)s", r.transport, r.source, r.instance ?? "-",
                    r.regId.map(String.init) ?? "-", r.userAgent ?? "-",
                ]
            })
    }

    /// The table `switchboard registrations` prints by default: the columns an operator reads
    /// first (the rest with `--wide` or `--json`).
    public static func registrationsSummary(_ registrations: [AdminRegistration]) -> TextTable {
        TextTable(
            headers: ["AOR", "INSTRUMENT", "CONTACT", "EXPIRES", "TRANSPORT"],
            rows: registrations.map { r in [r.aor, r.instrument ?? "-", r.contact, "\(r.expires)s", r.transport] })
    }

    /// The table `switchboard user list` prints.
    public static func users(_ users: [AdminUser]) -> TextTable {
        TextTable(headers: ["USER", "DOMAIN", "AOR", "CREATED"], rows: users.map { [$0.user, $0.domain, $0.aor, $0.created] })
    }
}

extension TextTable {
    /// The table `switchboard instrument list` prints: one row per instrument, its lines' auth
    /// users comma-separated.
    public static func instruments(_ instruments: [AdminInstrument]) -> TextTable {
        TextTable(
            headers: ["MAC", "VENDOR", "MODEL", "VERSION", "LINES", "LABEL"],
            rows: instruments.map { i in
                [
                    i.mac, i.vendor, i.model ?? "-", "\(i.configurationVersion)",
                    i.lines.isEmpty ? "-" : i.lines.map(\.authUser).joined(separator: ","), i.label ?? "-",
                ]
            })
    }

    /// The table of one instrument's lines (`switchboard instrument show`).
    public static func lines(_ lines: [AdminLine]) -> TextTable {
        TextTable(
            headers: ["LINE", "AOR", "AUTH-USER", "DISPLAY-NAME"],
            rows: lines.map { ["\($0.index)", $0.aor, $0.authUser, $0.displayName ?? "-"] })
    }
}
