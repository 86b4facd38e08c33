import Crypto
import Foundation
import SIPStorage
import Testing

@Suite struct PasswordCipherTests {
    let cipher = PasswordCipher(key: SymmetricKey(size: .bits256))

    @Test func roundTripAndFreshNonce() throws {
        let first = try cipher.seal("pw-Secret-1000", user: "69", domain: "example.net")
        let second = try cipher.seal("pw-Secret-1000", user: "69", domain: "example.net")
        #expect(first != second)
        #expect(first.count == 12 + "pw-Secret-1000".utf8.count + 16)
        #expect(try cipher.open(first, user: "69", domain: "EXAMPLE.net") == "pw-Secret-1000")
        #expect(!Data(first).contains(Data("pw-Secret".utf8)))
    }

    @Test func boxIsBoundToItsUser() throws {
        let sealed = try cipher.seal("secret", user: "69", domain: "example.net")
        #expect(throws: StorageError.undecryptableCredential(user: "70", domain: "example.net")) {
            try cipher.open(sealed, user: "70", domain: "example.net")
        }
    }

    @Test func otherKeyOrTamperingFails() throws {
        let sealed = try cipher.seal("secret", user: "69", domain: "example.net")
        let other = PasswordCipher(key: SymmetricKey(size: .bits256))
        #expect(throws: StorageError.undecryptableCredential(user: "69", domain: "example.net")) {
            try other.open(sealed, user: "69", domain: "example.net")
        }
        var tampered = sealed
        tampered[14] ^= 1
        #expect(throws: StorageError.self) { try cipher.open(tampered, user: "69", domain: "example.net") }
        #expect(throws: StorageError.self) { try cipher.open([1, 2, 3], user: "69", domain: "example.net") }
    }
}

@Suite struct CredentialKeyFileTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func createdWithMode0600AndReloadedUnchanged() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/credentials.key"
        #expect(try CredentialKeyFile.load(path: path) == nil)
        let created = try CredentialKeyFile.loadOrCreate(path: path)
        #expect(try mode(path) == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 32)
        let loaded = try CredentialKeyFile.loadOrCreate(path: path)
        #expect(created == loaded)
    }

    @Test func widerPermissionsAreRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/credentials.key"
        _ = try CredentialKeyFile.loadOrCreate(path: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: StorageError.insecureKeyFile(path: path, mode: 0o644)) { try CredentialKeyFile.loadOrCreate(path: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(throws: Never.self) { try CredentialKeyFile.load(path: path) }
    }

    @Test func wrongSizeIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/credentials.key"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 16), attributes: [.posixPermissions: 0o600]))
        #expect(throws: StorageError.keyFile(path: path, reason: "must hold exactly 32 bytes, holds 16")) {
            try CredentialKeyFile.loadOrCreate(path: path)
        }
    }

    @Test func missingDirectoryIsATypedError() {
        #expect(throws: StorageError.self) { try CredentialKeyFile.loadOrCreate(path: "/nonexistent-dir-\(UUID().uuidString)/k") }
    }
}
