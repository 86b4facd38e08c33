import Logging
import SIPCore
import SIPTransport

/// A side effect collected under a stripe lock and performed after it is released.
enum TransactionEffect: Sendable {
    case sendResponse(SIPResponse, ServerSend)
    case sendRequest(SIPRequest, SIPDestination, key: SIPClientTransactionKey, id: UInt64)
    case newRequest(SIPServerTransactionHandle)
    case ack(SIPRequest, SIPSource)
    case serverFailed(SIPServerTransactionHandle, SIPTransactionFailure)
    case clientEvent(@Sendable (SIPClientTransactionEvent) -> Void, SIPClientTransactionEvent)
}

/// Where a server transaction's response goes, and which transaction to tell when it cannot
/// be sent (the TU's handle while the transaction still has one).
struct ServerSend: Sendable {
    let key: SIPServerTransactionKey
    let id: UInt64
    let source: SIPSource
    let handle: SIPServerTransactionHandle?
}

extension SIPTransactionLayer {
    /// Performs effects in order: sends first (synchronously with an immediate sender, else in
    /// one Task), then TU callbacks.
    func perform(_ effects: [TransactionEffect]) {
        guard !effects.isEmpty else { return }
        var deferredSends: [TransactionEffect] = []
        for effect in effects {
            switch effect {
            case .sendResponse(let response, let send):
                if let immediateSender {
                    immediateSender.sendResponseImmediately(response, to: send.source) { [self] error in
                        serverSendFailed(send, error: error)
                    }
                } else {
                    deferredSends.append(effect)
                }
            case .sendRequest(let request, let destination, let key, let id):
                if let immediateSender {
                    immediateSender.sendImmediately(.request(request), to: destination) { [self] error in
                        clientSendFailed(key: key, id: id, error: error)
                    }
                } else {
                    deferredSends.append(effect)
                }
            default:
                continue
            }
        }
        if !deferredSends.isEmpty {
            Task { [self] in
                for effect in deferredSends { await performSend(effect) }
            }
        }
        for effect in effects {
            switch effect {
            case .sendResponse, .sendRequest:
                continue
            case .newRequest(let handle):
                if let user {
                    user.handleRequest(handle.request, transaction: handle)
                } else {
                    logger.notice("no transaction user; answering 503", metadata: ["sip.method": "\(handle.request.method)"])
                    try? handle.respond(statusCode: 503)
                }
            case .ack(let ack, let source):
                user?.handleACK(ack, source: source)
            case .serverFailed(let handle, let reason):
                metrics.failed(server: true, reason: reason)
                logger.debug(
                    "server transaction failed",
                    metadata: ["sip.method": "\(handle.request.method)", "sip.reason": "\(reason)", "sip.call_id": "\(handle.request.callID ?? "")"])
                user?.serverTransactionFailed(handle, reason: reason)
            case .clientEvent(let callback, let event):
                callback(event)
            }
        }
    }

    private func performSend(_ effect: TransactionEffect) async {
        switch effect {
        case .sendResponse(let response, let send):
            do { try await sender.sendResponse(response, to: send.source) } catch {
                serverSendFailed(send, error: error)
            }
        case .sendRequest(let request, let destination, let key, let id):
            do { try await sender.send(.request(request), to: destination) } catch {
                clientSendFailed(key: key, id: id, error: error)
            }
        default:
            break
        }
    }
}
