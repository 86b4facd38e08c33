import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate the TLS listeners present, and where it came from.
public struct SIPTLSCertificateInfo: Sendable, Hashable {
    /// PEM certificate file.
    public var certificatePath: String
    /// PEM private key file.
    public var privateKeyPath: String
    /// SHA-256 of the DER leaf certificate, upper-case hex with colons; log it so phones can pin it.
    public var sha256Fingerprint: String
    /// True when the certificate is self-signed by ``SIPSelfSignedCertificate``.
    public var isSelfSigned: Bool
    /// True when it was created during this start.
    public var wasCreated: Bool

    public init(
        certificatePath: String, privateKeyPath: String, sha256Fingerprint: String, isSelfSigned: Bool,
        wasCreated: Bool
    ) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.sha256Fingerprint = sha256Fingerprint
        self.isSelfSigned = isSelfSigned
        self.wasCreated = wasCreated
    }
}

/// Creates (once) and reuses a self-signed TLS certificate in the data directory, for servers
/// that have no certificate configured (issue 3; RFC 3261 §26.3.1 requires TLS support).
///
/// The key is ECDSA P-256 (`tls/switchboard.key`, mode 0600); the certificate
/// (`tls/switchboard.crt`) is valid for 10 years, signed with ECDSA-SHA256, with
/// subjectAltName `localhost`, `127.0.0.1`, `::1` and the configured domains, basic constraints
/// CA:false, and extended key usage serverAuth + clientAuth (it is also presented on outbound
/// connections). It has no key-usage extension: a key usage without keyCertSign would stop
/// verifiers from accepting the self-issued certificate as its own trust anchor (pinning).
///
/// Reads and writes files: call it before the event loops run or on a thread pool, never on
/// an event loop.
public enum SIPSelfSignedCertificate {
    public static let directoryName = "tls"
    public static let certificateFileName = "switchboard.crt"
    public static let privateKeyFileName = "switchboard.key"

    /// Returns the certificate in `dataDirectory/tls/`, creating it when either file is missing.
    public static func loadOrCreate(dataDirectory: String, domains: [String]) throws(SIPTransportError)
        -> SIPTLSCertificateInfo
    {
        try loadOrCreate(dataDirectory: dataDirectory, domains: domains, now: Date())
    }

    static func loadOrCreate(dataDirectory: String, domains: [String], now: Date) throws(SIPTransportError)
        -> SIPTLSCertificateInfo
    {
        let directory = (dataDirectory as NSString).appendingPathComponent(directoryName)
        let certPath = (directory as NSString).appendingPathComponent(certificateFileName)
        let keyPath = (directory as NSString).appendingPathComponent(privateKeyFileName)
        let files = FileManager.default
        do {
            if files.fileExists(atPath: certPath), files.fileExists(atPath: keyPath) {
                let pem = try String(contentsOfFile: certPath, encoding: .utf8)
                return SIPTLSCertificateInfo(
                    certificatePath: certPath, privateKeyPath: keyPath, sha256Fingerprint: try fingerprint(pem: pem),
                    isSelfSigned: true, wasCreated: false)
            }
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let (certificatePEM, keyPEM, der) = try generate(domains: domains, now: now)
            files.createFile(atPath: keyPath, contents: Data(keyPEM.utf8), attributes: [.posixPermissions: 0o600])
            guard files.createFile(atPath: certPath, contents: Data(certificatePEM.utf8), attributes: [.posixPermissions: 0o644])
            else { throw SIPTransportError(.tlsSetup, "cannot write \(certPath)") }
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
            return SIPTLSCertificateInfo(
                certificatePath: certPath, privateKeyPath: keyPath, sha256Fingerprint: SIPPeerCertificate.fingerprint(der),
                isSelfSigned: true, wasCreated: true)
        } catch let error as SIPTransportError {
            throw error
        } catch {
            throw SIPTransportError(.tlsSetup, "self-signed certificate in \(directory): \(error)")
        }
    }

    /// A new key and self-signed certificate: (certificate PEM, key PEM, certificate DER).
    static func generate(domains: [String], now: Date) throws -> (String, String, [UInt8]) {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Switchboard")
            CommonName(domains.first ?? "localhost")
        }
        var sans: [GeneralName] = [
            .dnsName("localhost"),
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
        ]
        for domain in domains where domain != "localhost" { sans.append(.dnsName(domain)) }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(sans)
        }
        var serial = [UInt8](repeating: 0, count: 16)
        for i in serial.indices { serial[i] = UInt8.random(in: 0...255) }
        serial[0] &= 0x7F
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial[...]),
            publicKey: privateKey.publicKey, notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: privateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation, serializer.serializedBytes)
    }

    /// SHA-256 fingerprint of the first certificate in a PEM text.
    static func fingerprint(pem: String) throws -> String {
        let certificate = try Certificate(pemEncoded: pem)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SIPPeerCertificate.fingerprint(serializer.serializedBytes)
    }
}
