/// One user of a bulk import, with the line of the file it came from (for error messages).
public struct UserImportEntry: Sendable, Hashable {
    /// The line of the import file, counting from 1.
    public var line: Int
    public var credential: SIPUserCredential

    public init(line: Int, credential: SIPUserCredential) {
        self.line = line
        self.credential = credential
    }
}

/// The bulk user file format of `switchboard user import FILE`, shared by the CLI, the admin API
/// and the stores.
///
/// One user per line: `user;domain;password`. Further `;`-separated columns are ignored (the
/// benchmark's SIPp `users.csv` carries an `[authentication …]` fourth column). Ignored lines:
/// blank ones, ones whose first non-blank character is `#`, and — as the first non-ignored line
/// only — a SIPp injection-file header (`SEQUENTIAL`, `RANDOM`, `RANDOM2`, `USER`, optionally
/// followed by `,PRINTF=…` options; a line with a `;` is never a header). CR LF line ends are accepted. Fields are taken as written
/// (no trimming, passwords may contain spaces); the domain is lower-cased.
public enum UserImport {
    /// Parses a whole file. The first bad line rejects the file: the error names it.
    /// `maxEntries` bounds the work (default one million users).
    public static func parse(_ text: String, maxEntries: Int = 1_000_000) throws(UserImportError) -> [UserImportEntry] {
        var entries: [UserImportEntry] = []
        var lineNumber = 0
        var sawContent = false
        // "\r\n" is one Character in Swift, so split on both forms.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) || trimmed.hasPrefix("#") { continue }
            defer { sawContent = true }
            if !sawContent, isSIPpHeader(trimmed) { continue }
            let fields = line.split(separator: ";", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3 else {
                throw UserImportError(line: lineNumber, reason: "expected user;domain;password, found \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            guard entries.count < maxEntries else {
                throw UserImportError(line: lineNumber, reason: "more than \(maxEntries) users in one import")
            }
            let credential = SIPUserCredential(user: String(fields[0]), domain: String(fields[1]), password: String(fields[2]))
            do {
                try credential.validate()
            } catch {
                throw UserImportError(line: lineNumber, reason: error.description)
            }
            entries.append(UserImportEntry(line: lineNumber, credential: credential))
        }
        try validate(entries)
        return entries
    }

    /// Checks every entry (``SIPUserCredential/validate()``) and refuses a (user, domain) named
    /// twice — a file that does so is more likely a mistake than an intended override. Stores
    /// call this before opening their transaction.
    public static func validate(_ entries: [UserImportEntry]) throws(UserImportError) {
        var seen: [UserKey: Int] = [:]
        seen.reserveCapacity(entries.count)
        for entry in entries {
            do {
                try entry.credential.validate()
            } catch {
                throw UserImportError(line: entry.line, reason: error.description)
            }
            let key = UserKey(user: entry.credential.user, domain: entry.credential.domain)
            if let first = seen.updateValue(entry.line, forKey: key) {
                throw UserImportError(line: entry.line, reason: "user \(key.user)@\(key.domain) already appears on line \(first)")
            }
        }
    }

    private static func isSIPpHeader(_ line: Substring) -> Bool {
        guard !line.contains(";") else { return false }  // `USER;example.net;pw` is a user
        let word = line.prefix(while: { $0 != "," && $0 != ";" && $0 != " " && $0 != "\t" }).uppercased()
        return ["SEQUENTIAL", "RANDOM", "RANDOM2", "USER"].contains(word)
    }
}
