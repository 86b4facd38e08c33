import Logging
import NIOPosix
import NIOSSL
import Synchronization

extension SIPTransportService {
    /// Reads the TLS certificate and key again (SIGHUP) and uses them from now on: the TLS
    /// listeners hand them to every new handshake (``ReloadableTLSIdentity``), new outbound TLS
    /// connections present them. Open connections keep their sessions: nothing is closed, no
    /// registration is dropped. Returns the new certificate, or nil when there is no TLS listener;
    /// throws (and keeps the certificate in use) when the files do not load or do not match.
    ///
    /// The files are the configured `sip.tls.certificate`/`privateKey`, or the self-signed pair in
    /// the data dir (created again only if it was removed).
    public func reloadTLSCertificate() async throws -> SIPTLSCertificateInfo? {
        guard let current = state.withLock({ $0.tls }) else { return nil }
        let configuration = self.configuration
        let fresh = try await NIOThreadPool.singleton.runIfActive { () throws -> SIPTLSSetup in
            try SIPTLSSetup.load(configuration: configuration)
        }
        current.identity.replace(with: fresh.identity)
        state.withLock { state in
            state.tls?.info = fresh.info
            state.tls?.clientContext = fresh.clientContext
        }
        logger.notice(
            "TLS certificate reloaded",
            metadata: [
                "event": "server.tls_reloaded", "sip.tls.certificate": "\(fresh.info.certificatePath)",
                "sip.tls.sha256": "\(fresh.info.sha256Fingerprint)",
            ])
        return fresh.info
    }
}
