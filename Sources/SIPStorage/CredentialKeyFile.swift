public import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file holding the 256-bit key of ``PasswordCipher``: 32 raw random bytes, in the data dir.
///
/// - Created on first start with `O_CREAT|O_EXCL` and mode 0600 (then `fchmod` 0600 whatever the
///   umask), written and fsync'ed before use.
/// - If it exists and is readable or writable by group or others (any of mode bits 0077), we
///   refuse to start with ``StorageError/insecureKeyFile(path:mode:)`` rather than fix the mode
///   silently: a key that may have been read by others must be judged by the operator (as
///   OpenSSH does with private keys). Fix with `chmod 600 FILE`.
/// - A file that is not a regular file or not exactly 32 bytes is refused
///   (``StorageError/keyFile(path:reason:)``).
/// - Losing this file makes every stored password undecryptable; back it up with the database.
public enum CredentialKeyFile {
    /// The default file name inside the data dir.
    public static let defaultFileName = "credentials.key"
    /// Key length in bytes.
    public static let keyLength = 32

    /// Loads the key at `path`, creating it first if it does not exist.
    public static func loadOrCreate(path: String) throws(StorageError) -> SymmetricKey {
        for _ in 0..<3 {
            if let key = try load(path: path) { return key }
            if try create(path: path) { break }
            // Someone else created it between our two attempts: read theirs.
        }
        guard let key = try load(path: path) else { throw .keyFile(path: path, reason: "could not be created") }
        return key
    }

    /// Loads the key; nil when the file does not exist.
    public static func load(path: String) throws(StorageError) -> SymmetricKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .keyFile(path: path, reason: "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .keyFile(path: path, reason: "cannot stat: \(errnoText())") }
        guard (UInt32(info.st_mode) & UInt32(S_IFMT)) == UInt32(S_IFREG) else {
            throw .keyFile(path: path, reason: "not a regular file")
        }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw .insecureKeyFile(path: path, mode: mode) }
        guard info.st_size == keyLength else {
            throw .keyFile(path: path, reason: "must hold exactly \(keyLength) bytes, holds \(info.st_size)")
        }
        var bytes = [UInt8](repeating: 0, count: keyLength)
        var filled = 0
        while filled < keyLength {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, keyLength - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw .keyFile(path: path, reason: "short read") }
            filled += count
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        return SymmetricKey(data: bytes)
    }

    /// Creates the file with a new random key; false when it already exists.
    private static func create(path: String) throws(StorageError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw .keyFile(path: path, reason: "cannot create: \(errnoText())")
        }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        guard fchmod(fd, 0o600) == 0 else { throw .keyFile(path: path, reason: "cannot chmod: \(errnoText())") }
        let key = SymmetricKey(size: .bits256)
        let written = key.withUnsafeBytes { buffer -> Int in
            var done = 0
            while done < buffer.count {
                let count = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return -1 }
                done += count
            }
            return done
        }
        guard written == keyLength else { throw .keyFile(path: path, reason: "cannot write: \(errnoText())") }
        guard fsync(fd) == 0 else { throw .keyFile(path: path, reason: "cannot fsync: \(errnoText())") }
        ok = true
        return true
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
