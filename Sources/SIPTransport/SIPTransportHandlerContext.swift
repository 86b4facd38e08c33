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

    init(
        receiver: (any SIPMessageReceiver)?, metrics: SIPTransportMetrics = SIPTransportMetrics(), logger: Logger,
        parserLimits: SIPParserLimits = .default, framingErrorCloseDelay: TimeAmount = .milliseconds(500)
    ) {
        self.receiver = receiver
        self.metrics = metrics
        self.logger = logger
        self.parserLimits = parserLimits
        self.framingErrorCloseDelay = framingErrorCloseDelay
    }

    /// Stamps `received`/`rport` on a request (RFC 3261 §18.2.1, RFC 3581 §4), counts the message
    /// and hands it to the receiver. Requests whose top Via is unusable are dropped and counted.
    func deliver(_ message: SIPMessage, source: SIPSource) {
        var message = message
        if case .request(var request) = message {
            if case .invalidVia(let error) = SIPViaProcessing.stampReceived(&request.headers, remote: source.remote) {
                metrics.dropped(source.transport, reason: "invalid_via")
                logger.debug(
                    "dropped request with unusable Via",
                    metadata: metadata(source, callID: request.callID, ["sip.error": "\(error.reason)"]))
                return
            }
            message = .request(request)
        }
        metrics.received(source.transport, message)
        guard let receiver else {
            metrics.dropped(source.transport, reason: "no_receiver")
            return
        }
        logger.trace("received", metadata: metadata(source, callID: message.headers[.callID]))
        receiver.receive(SIPIncomingMessage(message: message, source: source))
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
            toTag: String(UInt64.random(in: 1...UInt64.max), radix: 16))
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
    func sipBuffer(_ message: SIPMessage) -> ByteBuffer {
        buffer(bytes: message.serialized())
    }
}
