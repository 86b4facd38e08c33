import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates minted for a test: a CA, and leaves it signs (a phone's device certificate),
/// written as PEM files in a temporary directory.
struct TestPKI {
    let certificate: Certificate
    let key: P256.Signing.PrivateKey

    /// A self-signed CA named `name`.
    static func authority(_ name: String) throws -> TestPKI {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86_400, issuer: subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        return TestPKI(certificate: certificate, key: key)
    }

    /// A client certificate with subject `CN=commonName`, signed by this CA.
    func issue(commonName: String) throws -> TestPKI {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86_400, issuer: self.certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                AuthorityKeyIdentifier(keyIdentifier: try self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: .init(self.key))
        return TestPKI(certificate: certificate, key: key)
    }

    var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }
    var keyPEM: String { key.pemRepresentation }

    /// Writes `name.pem` and `name.key` into `directory`; returns their paths.
    func write(to directory: String, name: String) throws -> (certificate: String, key: String) {
        let certificate = directory + "/" + name + ".pem"
        let key = directory + "/" + name + ".key"
        try certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: key, atomically: true, encoding: .utf8)
        return (certificate, key)
    }
}
