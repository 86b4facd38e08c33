import Crypto
import NIOSSL
import SwiftASN1
import X509

extension SIPPeerCertificate {
    /// Reads subject, subjectAltName entries (DNS, URI, IP, e-mail) and the SHA-256 fingerprint
    /// from a certificate a TLS peer presented (RFC 5922 §7.1).
    init(nioSSL certificate: NIOSSLCertificate) throws {
        let der = try certificate.toDERBytes()
        try self.init(der: der)
    }

    public init(der: [UInt8]) throws {
        let parsed = try Certificate(derEncoded: der)
        var names: [String] = []
        if let sans = try parsed.extensions.subjectAlternativeNames {
            for name in sans {
                switch name {
                case .dnsName(let dns): names.append("DNS:\(dns)")
                case .uniformResourceIdentifier(let uri): names.append("URI:\(uri)")
                case .rfc822Name(let mail): names.append("email:\(mail)")
                case .ipAddress(let octets): names.append("IP:\(Self.ipText(Array(octets.bytes)))")
                default: continue
                }
            }
        }
        self.init(
            subject: parsed.subject.description, subjectAlternativeNames: names,
            sha256Fingerprint: Self.fingerprint(der))
    }

    /// SHA-256 of DER bytes, upper-case hex with colons.
    static func fingerprint(_ der: [UInt8]) -> String {
        SHA256.hash(data: der).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        var i = 0
        while i + 1 < bytes.count {
            groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
            i += 2
        }
        return groups.joined(separator: ":")
    }
}
