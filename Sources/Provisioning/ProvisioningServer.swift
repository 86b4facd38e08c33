import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle
import Synchronization

/// The HTTPS listeners of the configuration service (RFC 6011 §2.4), on Hummingbird 2 with
/// HummingbirdTLS: the password port (``ProvisioningConfiguration/listen``) and, when
/// configured, the device port (``ProvisioningConfiguration/deviceListen``), whose TLS requires
/// a client certificate from the device CA bundle. Both hand every GET/HEAD to one
/// ``ConfigurationService``; ``service`` runs them in the server's `ServiceGroup`.
public final class ProvisioningServer: Sendable {
    public let configuration: ProvisioningConfiguration
    public let responder: ConfigurationService
    let password: Application<RouterResponder<ProvisioningRequestContext>>
    let device: Application<RouterResponder<ProvisioningRequestContext>>?
    let passwordPort = BoundPort()
    let devicePort = BoundPort()

    /// Builds both listeners; throws ``ProvisioningError`` for unreadable certificate, key or CA
    /// bundle files.
    public init(responder: ConfigurationService, logger: Logger) throws(ProvisioningError) {
        let configuration = responder.configuration
        self.configuration = configuration
        self.responder = responder
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(configuration.certificatePath)
            key = try NIOSSLPrivateKey(file: configuration.privateKeyPath, format: .pem)
        } catch {
            throw .configuration("provisioning TLS certificate \(configuration.certificatePath): \(error)")
        }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        password = try Self.application(
            responder: responder, address: configuration.listen, tls: tls, isDevicePort: false, port: passwordPort, logger: logger)
        if let address = configuration.deviceListen {
            guard let bundle = configuration.deviceCABundlePath else {
                throw .configuration("provisioning.deviceListen needs provisioning.deviceCABundle (the device CAs, PEM)")
            }
            var deviceTLS = tls
            deviceTLS.certificateVerification = .noHostnameVerification
            deviceTLS.trustRoots = .file(bundle)
            device = try Self.application(
                responder: responder, address: address, tls: deviceTLS, isDevicePort: true, port: devicePort, logger: logger)
        } else {
            device = nil
        }
    }

    /// The `Service` to run in the server's group.
    public var service: any Service { ProvisioningService(applications: [(password, passwordPort)] + (device.map { [($0, devicePort)] } ?? [])) }

    /// The bound port of the password listener, once listening (the kernel's choice for port 0).
    public func listeningPort() async throws -> Int { try await passwordPort.wait() }

    /// The bound port of the device listener, once listening.
    public func deviceListeningPort() async throws -> Int { try await devicePort.wait() }

    private static func application(
        responder: ConfigurationService, address: ProvisioningListenAddress, tls: TLSConfiguration, isDevicePort: Bool,
        port: BoundPort, logger: Logger
    ) throws(ProvisioningError) -> Application<RouterResponder<ProvisioningRequestContext>> {
        let router = Router(context: ProvisioningRequestContext.self)
        let handler: @Sendable (Request, ProvisioningRequestContext) async throws -> Response = { request, context in
            let portKind: ConfigurationRequest.Port = isDevicePort ? .device(await context.certifiedInstrument()) : .password
            let answer = await responder.respond(to: ConfigurationRequest(request, source: context.sourceAddress, port: portKind))
            return Response(answer)
        }
        for path in ["/", "**"] {
            router.get(RouterPath(path), use: handler)
            router.head(RouterPath(path), use: handler)
        }
        let server: HTTPServerBuilder
        do { server = try .tls(.http1(), tlsConfiguration: tls) } catch {
            throw .configuration("provisioning TLS configuration: \(error)")
        }
        let kind = isDevicePort ? "device" : "password"
        return Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? address.port
                logger.info(
                    "configuration service listening",
                    metadata: ["event": "provisioning.listening", "port_kind": "\(kind)", "address": "\(address.host)", "port": "\(bound)"])
                port.fulfil(bound)
            }, logger: logger)
    }
}

extension ConfigurationRequest {
    init(_ request: Request, source: String, port: Port) {
        var query: [(name: String, value: String)] = []
        for (name, value) in request.uri.queryParameters { query.append((String(name), String(value))) }
        self.init(
            method: request.method == .head ? "HEAD" : "GET", path: request.uri.path, query: query,
            target: request.head.path ?? request.uri.path, authorization: request.headers[.authorization],
            conditions: ConditionalRequest(
                ifNoneMatch: request.headers[values: .ifNoneMatch].isEmpty ? nil : request.headers[values: .ifNoneMatch].joined(separator: ", "),
                ifModifiedSince: request.headers[.ifModifiedSince]),
            source: source, port: port)
    }
}

extension Response {
    init(_ answer: ConfigurationAnswer) {
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        self.init(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// Runs the listeners until graceful shutdown; a listener that fails reports it to its port's
/// waiters.
struct ProvisioningService: Service {
    let applications: [(Application<RouterResponder<ProvisioningRequestContext>>, BoundPort)]

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (application, port) in applications {
                group.addTask {
                    do {
                        try await application.run()
                        port.fail(ProvisioningError.configuration("the configuration service stopped before it was listening"))
                    } catch {
                        port.fail(error)
                        throw error
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A port bound once, that any number of tasks can wait for.
final class BoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case settled(Result<Int, any Error>)
    }

    private let state = Mutex<State>(.waiting([]))

    func fulfil(_ port: Int) { settle(.success(port)) }

    /// Fails waiters, unless the port was bound already.
    func fail(_ error: any Error) { settle(.failure(error)) }

    private func settle(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .settled(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let settled: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .settled(let result): return result
                }
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}
