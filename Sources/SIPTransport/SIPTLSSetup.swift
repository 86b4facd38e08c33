import NIOSSL

/// TLS material loaded at startup (off the event loops): the identity and the SSL contexts.
struct SIPTLSSetup: Sendable {
    var info: SIPTLSCertificateInfo
    /// One server context per TLS listener index (client-certificate policy differs per listener).
    var serverContexts: [Int: NIOSSLContext]
    /// The context for outbound TLS connections.
    var clientContext: NIOSSLContext
    /// The chain and key every server handshake takes (replaced on reload).
    var identity: ReloadableTLSIdentity

    /// Loads or creates the certificate and builds the contexts. Blocking file I/O: run on a
    /// thread pool. Minimum TLS 1.2 everywhere (issue 3).
    static func load(configuration: SIPTransportConfiguration) throws(SIPTransportError) -> SIPTLSSetup {
        let settings = configuration.tls
        let info: SIPTLSCertificateInfo
        if let cert = settings.certificatePath, let key = settings.privateKeyPath {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(cert)
                guard let leaf = chain.first else { throw SIPTransportError(.tlsSetup, "no certificate in \(cert)") }
                info = SIPTLSCertificateInfo(
                    certificatePath: cert, privateKeyPath: key,
                    sha256Fingerprint: SIPPeerCertificate.fingerprint(try leaf.toDERBytes()), isSelfSigned: false,
                    wasCreated: false)
            } catch let error as SIPTransportError {
                throw error
            } catch {
                throw SIPTransportError(.tlsSetup, "cannot load certificate \(cert): \(error)")
            }
        } else if settings.certificatePath != nil || settings.privateKeyPath != nil {
            throw SIPTransportError(.invalidConfiguration, "TLS needs both a certificate and a private key path")
        } else {
            info = try SIPSelfSignedCertificate.loadOrCreate(dataDirectory: settings.dataDirectory, domains: settings.domains)
        }
        do {
            let identity = try ReloadableTLSIdentity(certificatePath: info.certificatePath, privateKeyPath: info.privateKeyPath)
            let chain = identity.certificateChain.map { NIOSSLCertificateSource.certificate($0) }
            let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(file: info.privateKeyPath, format: .pem))
            var servers: [Int: NIOSSLContext] = [:]
            for (index, listener) in configuration.listeners.enumerated() where listener.url.transport == .tls {
                var tls = identity.serverConfiguration()
                tls.minimumTLSVersion = .tlsv12
                switch listener.clientCertificates {
                case .none:
                    tls.certificateVerification = .none
                case .request(let ca):
                    tls.certificateVerification = .optionalVerification
                    tls.trustRoots = ca.map { .file($0) } ?? .default
                    tls.sendCANameList = ca != nil
                case .require(let ca):
                    tls.certificateVerification = .noHostnameVerification
                    tls.trustRoots = ca.map { .file($0) } ?? .default
                    tls.sendCANameList = ca != nil
                }
                servers[index] = try NIOSSLContext(configuration: tls)
            }
            var client = TLSConfiguration.makeClientConfiguration()
            client.minimumTLSVersion = .tlsv12
            client.certificateChain = chain
            client.privateKey = key
            switch settings.outboundVerification {
            case .none: client.certificateVerification = .none
            case .noHostnameVerification: client.certificateVerification = .noHostnameVerification
            case .full: client.certificateVerification = .fullVerification
            }
            client.trustRoots = settings.outboundTrustRootsPath.map { .file($0) } ?? .default
            return SIPTLSSetup(
                info: info, serverContexts: servers, clientContext: try NIOSSLContext(configuration: client), identity: identity)
        } catch let error as SIPTransportError {
            throw error
        } catch {
            throw SIPTransportError(.tlsSetup, "TLS context: \(error)")
        }
    }
}
