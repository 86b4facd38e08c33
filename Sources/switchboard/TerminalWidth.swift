import Foundation

/// The width of the terminal standard output is, for tables: `$COLUMNS` when set, else the
/// terminal's (`TIOCGWINSZ`); nil when output is not a terminal (a pipe gets full rows).
enum TerminalWidth {
    static var current: Int? {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
