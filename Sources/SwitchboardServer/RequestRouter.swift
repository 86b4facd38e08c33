import Logging
import NIOCore
import SIPCore
import SIPRegistrar
import SIPTransaction
import SIPTransport
import Synchronization

/// The transaction user of the server (RFC 3261 §8.2, §16.3): looks at each new request and
/// sends it to the part that handles it.
///
/// - REGISTER → ``Registrar`` (RFC 3261 §10.3).
/// - OPTIONS addressed to us (Request-URI host is one of our domains or listening addresses,
///   or Max-Forwards is 0) → 200 with Allow, Accept, Supported (§11.2).
/// - Max-Forwards 0 on any other request → 483 Too Many Hops (§16.3 step 2).
/// - CANCEL → 200 and 487 for the INVITE it cancels, or 481 when there is none (§9.2).
/// - ACK → absorbed (no response is ever sent to an ACK).
/// - Everything else → 501 Not Implemented (the proxy is not built yet).
final class RequestRouter: SIPTransactionUser {
    let registrar: Registrar
    let domains: Set<String>
    let logger: Logger
    /// Hosts that name this server: listener addresses, filled in once the listeners are bound.
    private let localHosts = Mutex<Set<String>>([])
    /// True when a listener is bound to a wildcard address: any IP literal may then be ours.
    private let wildcard = Mutex(false)
    /// The layer this router is the user of, for CANCEL matching (set once at start).
    let transactionLayer = Mutex<SIPTransactionLayer?>(nil)

    static let allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, MESSAGE, INFO, UPDATE, REFER, PRACK"

    init(registrar: Registrar, domains: Set<String>, logger: Logger) {
        self.registrar = registrar
        self.domains = domains
        self.logger = logger
    }

    /// Records the bound listener addresses (called once the transport is up).
    func setListeners(_ listeners: [SIPBoundListener]) {
        var hosts: Set<String> = ["localhost"]
        var anyAddress = false
        for listener in listeners {
            guard let ip = listener.address.ipAddress else { continue }
            if ip == "0.0.0.0" || ip == "::" { anyAddress = true } else { hosts.insert(ip.lowercased()) }
        }
        localHosts.withLock { $0 = hosts }
        wildcard.withLock { $0 = anyAddress }
    }

    /// RFC 3261 §16.3 step 4 / §10.3 step 1: is the Request-URI addressed to this server?
    func isAddressedToUs(_ uri: SIPURI) -> Bool {
        let host = uri.normalizedHost
        if domains.contains(host) { return true }
        if localHosts.withLock({ $0.contains(host) }) { return true }
        return wildcard.withLock { $0 } && Self.isIPLiteral(host)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    func handleRequest(_ request: SIPRequest, transaction: SIPServerTransactionHandle) {
        let maxForwards = (try? request.maxForwards) ?? 70
        switch request.method {
        case .register:
            // Rejections before authentication and the first challenge are answered here, on
            // the transport's thread; only authenticated REGISTERs need storage (a task).
            switch registrar.begin(request, source: transaction.source) {
            case .respond(let response):
                respond(transaction, response)
            case .continueAsync(let prepared):
                Task { [registrar] in respond(transaction, await registrar.finish(prepared)) }
            }
        case .options where maxForwards == 0 || isAddressedToUs(request.uri):
            var response = SIPResponse(answering: request, statusCode: 200, toTag: Registrar.makeTag())
            response.headers.removeAll(.contentLength)
            response.headers.append(.allow, Self.allow)
            response.headers.append(.accept, "application/sdp, application/dialog-info+xml, message/http")
            response.headers.append(.supported, Registrar.supportedExtensions.joined(separator: ", "))
            response.headers.append(.server, SwitchboardVersion.productToken)
            response.headers.append(.contentLength, "0")
            respond(transaction, response)
        case _ where maxForwards == 0:
            respond(transaction, SIPResponse(answering: request, statusCode: 483, toTag: Registrar.makeTag()))
        case .cancel:
            if let invite = transactionLayer.withLock({ $0 })?.inviteTransaction(forCancel: request) {
                respond(transaction, SIPResponse(answering: request, statusCode: 200, toTag: Registrar.makeTag()))
                respond(invite, SIPResponse(answering: invite.request, statusCode: 487, toTag: Registrar.makeTag()))
            } else {
                respond(transaction, SIPResponse(answering: request, statusCode: 481))
            }
        default:
            respond(transaction, SIPResponse(answering: request, statusCode: 501, toTag: Registrar.makeTag()))
        }
    }

    private func respond(_ transaction: SIPServerTransactionHandle, _ response: SIPResponse) {
        do {
            try transaction.respond(response)
        } catch {
            logger.debug(
                "response not sent", metadata: ["sip.status": "\(response.statusCode)", "error": "\(error)"])
        }
    }
}
