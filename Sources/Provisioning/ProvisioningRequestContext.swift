public import Hummingbird
public import NIOCore
import NIOSSL
import SIPAuth
import SIPCore
import SIPTransport

/// The Hummingbird request context of the configuration service: the connection's channel, to
/// read the client's address and, on the device port, its TLS client certificate.
public struct ProvisioningRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }

    /// The client's IP address (`unknown` when the channel has none).
    var sourceAddress: String { channel.remoteAddress?.ipAddress ?? "unknown" }

    /// The MAC the verified client certificate names (``DeviceCertificateIdentity``), read from
    /// the connection's TLS handler on its event loop; nil when there is no certificate or it
    /// names no MAC.
    func certifiedInstrument() async -> SIPInstrumentID? {
        let channel = self.channel
        let der = try? await channel.eventLoop.submit { () -> [UInt8]? in
            try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate?.toDERBytes()
        }.get()
        guard let der = der ?? nil, let certificate = try? SIPPeerCertificate(der: der) else { return nil }
        return DeviceCertificateIdentity.instrument(
            subject: certificate.subject, subjectAlternativeNames: certificate.subjectAlternativeNames)
    }
}
