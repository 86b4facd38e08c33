import Logging
import NIOCore
import SIPCore

/// What every transport channel handler shares: where messages go, metrics, logger, limits.
/// Immutable after the service starts.
struct SIPTransportHandlerContext: Sendable {
    var receiver: (any SIPMessageReceiver)?
    var metrics: SIPTransportMetrics
    var logger: Logger
    var parserLimits: SIPParserLimits
    /// See ``SIPTransportLimits/framingErrorCloseDelay``.
    var framingErrorCloseDelay: TimeAmount
    /// The UDP receive-backlog signal the datagram handlers update.
    var ingressLoad: SIPIngressLoad
    /// The full message trace (`--trace-sip`), off by default.
    var trace: SIPMessageTrace = .off

    init(
        receiver: (any SIPMessageReceiver)?, metrics: SIPTransportMetrics = SIPTransportMetrics(), logger: Logger,
        parserLimits: SIPParserLimits = .default, framingErrorCloseDelay: TimeAmount = .milliseconds(500),
        ingressLoad: SIPIngressLoad = SIPIngressLoad()
    ) {
        self.ingressLoad = ingressLoad
        self.receiver = receiver
        self.metrics = metrics
        self.logger = logger
        self.parserLimits = parserLimits
        self.framingErrorCloseDelay = framingErrorCloseDelay
    }

    /// Parses a request's essentials once (top Via, From, To, Call-ID, CSeq, Max-Forwards),
    /// stamps `received`/`rport` on its top Via (RFC 3261 §18.2.1, RFC 3581 §4), works out
    /// where its responses go over UDP (§18.2.2), counts the message and hands it to the
    /// receiver, on `eventLoop` (the caller's).
    ///
    /// Returns the answer the caller must write itself when the request cannot go on: 400 naming
    /// the missing or malformed essential header (§8.2.2), 505 for a Via of another SIP version.
    /// A request without a usable Via is dropped and counted (nil is returned).
    func deliver(_ message: SIPMessage, source: SIPSource, eventLoop: any EventLoop) -> SIPResponse? {
        trace.record(.incoming, message, transport: source.transport, remote: source.remote)
        guard case .request(var request) = message else {
            metrics.received(source.transport, message)
            hand(SIPIncomingMessage(message: message, source: source, eventLoop: eventLoop), callID: message.headers[.callID])
            return nil
        }
        var essentials: SIPRequestEssentials
        do throws(SIPRequestEssentials.Failure) {
            essentials = try SIPRequestEssentials(parsing: request, limits: parserLimits)
        } catch {
            return reject(request, failure: error, source: source)
        }
        SIPViaProcessing.stamp(&essentials, headers: &request.headers, remote: source.remote)
        var source = source
        if source.transport == .udp {
            source.responseAddress = SIPResponseRouting.datagramDestination(topVia: essentials.topVia, source: source)
        }
        let incoming = SIPIncomingMessage(
            message: .request(request), source: source, essentials: essentials, eventLoop: eventLoop)
        metrics.received(source.transport, incoming.message)
        hand(incoming, callID: nil)
        return nil
    }

    private func hand(_ incoming: SIPIncomingMessage, callID: Substring?) {
        guard let receiver else {
            metrics.dropped(incoming.source.transport, reason: "no_receiver")
            return
        }
        if logger.logLevel <= .trace {
            logger.trace(
                "received",
                metadata: metadata(incoming.source, callID: callID ?? incoming.essentials.map { Substring($0.callID) }))
        }
        receiver.receive(incoming)
    }

    /// A request whose essentials are unusable: the answer (400/505) when its Via can route
    /// one, else nil (dropped and counted). ACKs are never answered (RFC 3261 §17.2.3).
    private func reject(
        _ request: SIPRequest, failure: SIPRequestEssentials.Failure, source: SIPSource
    ) -> SIPResponse? {
        let error: SIPParseError
        switch failure {
        case .unusableVia(let viaError):
            error = SIPParseError(viaError.code, "Invalid Via: \(viaError.reason)")
            // Answerable when the Via names a transport and a sent-by, even if its parameters or
            // version are bad (RFC 4475 §3.1.2.1): the answer goes back to the packet's source.
            guard viaError.statusCode == 505 || Self.hasSentBy(request) else {
                metrics.dropped(source.transport, reason: "invalid_via")
                logger.debug(
                    "dropped request with unusable Via",
                    metadata: metadata(source, callID: request.callID, ["sip.error": "\(viaError.reason)"]))
                return nil
            }
        case .invalid(let invalid, _):
            error = invalid
        }
        metrics.parseError(source.transport, error)
        guard request.method != .ack else {
            metrics.dropped(source.transport, reason: "unanswerable")
            return nil
        }
        var headers = SIPHeaders(SIPReplyHeaders(request: request).fields)
        if case .invalid = failure { SIPViaProcessing.stampReceived(&headers, remote: source.remote) }
        logger.debug(
            "answering invalid request",
            metadata: metadata(source, callID: request.callID, ["sip.error": "\(error.reason)", "sip.status": "\(error.statusCode)"]))
        return SIPResponse(
            answering: SIPReplyHeaders(method: request.method, fields: Array(headers)), statusCode: error.statusCode,
            reasonPhrase: error.reason, toTag: SIPTag.random())
    }

    /// The response to send for a parse error, or nil when it cannot be answered (not a
    /// request, too broken, or an ACK, which is never answered). Counts the error either way.
    func answer(_ error: SIPParseError, transport: SIPTransportProtocol, remote: SocketAddress) -> SIPResponse? {
        metrics.parseError(transport, error)
        guard let reply = error.replyHeaders, reply.method != .ack else {
            metrics.dropped(transport, reason: "unanswerable")
            logger.debug(
                "dropped unanswerable input",
                metadata: ["sip.transport": "\(transport)", "sip.remote": "\(remote.sipHostPort)", "sip.error": "\(error.reason)"])
            return nil
        }
        var headers = SIPHeaders(reply.fields)
        SIPViaProcessing.stampReceived(&headers, remote: remote)
        let stamped = SIPReplyHeaders(method: reply.method, fields: Array(headers))
        logger.debug(
            "answering invalid request",
            metadata: ["sip.transport": "\(transport)", "sip.remote": "\(remote.sipHostPort)", "sip.error": "\(error.reason)"])
        return SIPResponse(
            answering: stamped, statusCode: error.statusCode, reasonPhrase: error.reason,
            toTag: SIPTag.random())
    }

    /// True when the top Via value has a parsable sent-protocol and sent-by (parameters aside).
    static func hasSentBy(_ request: SIPRequest) -> Bool {
        guard let field = request.headers.first(.via) else { return false }
        let top = SIPRequestEssentials.topValue(of: field.value)
        let sentBy = top.firstIndex(of: ";").map { top[top.startIndex..<$0] } ?? top
        return (try? SIPVia(parsing: sentBy)) != nil
    }

    func metadata(_ source: SIPSource, callID: Substring?, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var m = extra
        m["sip.transport"] = "\(source.transport)"
        m["sip.remote"] = "\(source.remote.sipHostPort)"
        if let callID { m["sip.call_id"] = "\(callID)" }
        if let id = source.connectionID { m["sip.connection"] = "\(id)" }
        return m
    }
}

extension ByteBufferAllocator {
    func sipBuffer(_ message: SIPMessage, forStream: Bool = false) -> ByteBuffer {
        buffer(bytes: message.serialized(forStream: forStream))
    }
}
