import NIOCore
public import NIOSSL
import Synchronization

/// A TLS server's certificate chain and private key that can be replaced while it runs (SIGHUP),
/// for new connections: the listener's `TLSConfiguration` carries ``contextCallback``
/// (NIOSSL's `sslContextCallback`, called once per ClientHello), which hands each handshake the
/// chain and key current at that moment. Connections already established keep the session they
/// negotiated; nothing is closed, so registrations and subscriptions over them are untouched.
///
/// Used by the SIP TLS listeners (RFC 3261 §26.2.1, ``SIPTransportService``) and the
/// configuration service's HTTPS listeners (RFC 6011 §2.4), which read the same files.
public final class ReloadableTLSIdentity: Sendable {
    public let certificatePath: String
    public let privateKeyPath: String
    private let current: Mutex<(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)>

    /// Reads the chain and key (blocking file I/O: not on an event loop). Throws when a file
    /// does not load, holds no certificate, or the key does not belong to the certificate.
    public init(certificatePath: String, privateKeyPath: String) throws {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        current = Mutex(try Self.read(certificatePath: certificatePath, privateKeyPath: privateKeyPath))
    }

    /// The chain in use now.
    public var certificateChain: [NIOSSLCertificate] { current.withLock { $0.chain } }

    /// Reads the files again and uses them for every handshake from now on; on failure the
    /// identity in use stays. Blocking file I/O: run it on a thread pool.
    public func reload() throws {
        let fresh = try Self.read(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        current.withLock { $0 = fresh }
    }

    /// Uses `other`'s chain and key (already loaded) from now on.
    public func replace(with other: ReloadableTLSIdentity) {
        let fresh = other.current.withLock { $0 }
        current.withLock { $0 = fresh }
    }

    /// A server configuration with the current chain and key, whose handshakes take the chain
    /// and key current when each ClientHello arrives.
    public func serverConfiguration() -> TLSConfiguration {
        let (chain, key) = current.withLock { ($0.chain, $0.key) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.sslContextCallback = contextCallback
        return configuration
    }

    /// NIOSSL's per-handshake callback: the current chain and key. Runs on the connection's
    /// event loop: one short lock, no I/O.
    public var contextCallback: NIOSSLContextCallback {
        { [self] _, promise in
            let (chain, key) = self.current.withLock { ($0.chain, $0.key) }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain.map { .certificate($0) }
            override.privateKey = .privateKey(key)
            promise.succeed(override)
        }
    }

    private static func read(certificatePath: String, privateKeyPath: String) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        guard !chain.isEmpty else { throw SIPTransportError(.tlsSetup, "no certificate in \(certificatePath)") }
        let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        // A context refuses a key that does not match the certificate: check before using it.
        _ = try NIOSSLContext(
            configuration: TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        return (chain, key)
    }
}
