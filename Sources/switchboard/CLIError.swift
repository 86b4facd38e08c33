import Foundation

/// A failure found while a command runs (a file that cannot be read, a refused request):
/// ArgumentParser prints `Error: ` and the message, without a usage text, and exits 1. Problems
/// with the arguments themselves are `ValidationError`s thrown from `validate()`, which print
/// the usage of the subcommand at fault.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// Why `path` cannot be read, in words: no such file, a directory, permission denied.
    static func unreadable(_ path: String) -> CLIError {
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "no such file"
        } else if isDirectory.boolValue {
            reason = "it is a directory"
        } else if !FileManager.default.isReadableFile(atPath: path) {
            reason = "permission denied"
        } else {
            reason = "read error"
        }
        let absolute = path.hasPrefix("/") ? "" : " (in \(FileManager.default.currentDirectoryPath))"
        return CLIError("cannot read '\(path)'\(absolute): \(reason)")
    }
}
