public import Crypto
import Foundation

/// Encrypts passwords at rest with AES-256-GCM (NIST SP 800-38D), as swift-crypto implements it.
///
/// A stored password is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)` with a fresh random
/// nonce per encryption. The (user, domain) pair is authenticated as associated data, so a row's
/// ciphertext copied onto another user's row fails to decrypt instead of granting that user the
/// other's password. The key comes from ``CredentialKeyFile``.
///
/// `@unchecked Sendable`: swift-crypto 3.12 does not mark `SymmetricKey` Sendable, but the key is
/// immutable after init and only read (AES-GCM seal/open), so sharing it across tasks is safe.
public struct PasswordCipher: @unchecked Sendable {
    private let key: SymmetricKey

    /// `key` must be 256 bits.
    public init(key: SymmetricKey) {
        precondition(key.bitCount == 256, "PasswordCipher needs a 256-bit key")
        self.key = key
    }

    /// Encrypts `password` for (user, domain).
    public func seal(_ password: String, user: String, domain: String) throws(StorageError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(Array(password.utf8), using: key, authenticating: Self.associatedData(user: user, domain: domain))
            guard let combined = box.combined else { throw StorageError.backend("AES-GCM produced no combined box") }
            return Array(combined)
        } catch let error as StorageError {
            throw error
        } catch {
            throw .backend("AES-GCM encryption failed: \(error)")
        }
    }

    /// Decrypts what ``seal(_:user:domain:)`` produced for the same (user, domain).
    public func open(_ sealed: [UInt8], user: String, domain: String) throws(StorageError) -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plain = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(user: user, domain: domain))
            guard let text = String(validating: plain, as: UTF8.self) else {
                throw StorageError.undecryptableCredential(user: user, domain: domain)
            }
            return text
        } catch {
            throw .undecryptableCredential(user: user, domain: domain)
        }
    }

    private static func associatedData(user: String, domain: String) -> [UInt8] {
        Array("switchboard-password-v1\u{0}\(user)\u{0}\(SIPUserCredential.canonicalDomain(domain))".utf8)
    }
}
