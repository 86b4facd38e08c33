public import Logging
public import SIPCore
public import SIPTransport

/// The one structured log event of a request: what happened (``outcome``, e.g. `register.ok`,
/// `options.ok`, `invite.not_implemented`) and to whom. Operators filter these by instrument and
/// AOR (`switchboard logs --instrument MAC`). Never carries a password, HA1, nonce or digest
/// response.
///
/// Written once per final response, by ``SIPRequestContext/respond(_:)`` or by a processor that
/// logs its own (the registrar), with the fields below plus method, status, Call-ID, source and
/// transport. Metadata is built only when the event's level is enabled (hot path).
public struct SIPRequestEvent: Sendable {
    /// The outcome name; nil names it from the method and status (`options.ok`).
    public var outcome: String?
    public var aor: String?
    public var instrument: SIPInstrumentID?
    /// `+sip.instance` values the request carried.
    public var instances: [String] = []
    /// The digest username (`69/0000DEADBEEF`).
    public var authUser: String?
    /// Why, for failures (a reason phrase or a verification failure kind).
    public var detail: String?
    /// The level to log at; nil picks one from the status (info, warning for 5xx).
    public var level: Logger.Level?
    /// True once the event was written (a processor that logs its own sets it).
    public var isLogged = false

    public init() {}

    /// The outcome name for `status` when none was set: the method in lower case and a short
    /// name of the status class or code (`options.ok`, `invite.not_implemented`).
    public static func defaultOutcome(method: SIPMethod, status: Int) -> String {
        let name: String
        switch status {
        case 100..<200: name = "provisional"
        case 200..<300: name = "ok"
        case 400: name = "bad_request"
        case 403: name = "forbidden"
        case 404: name = "not_found"
        case 420: name = "bad_extension"
        case 481: name = "no_transaction"
        case 483: name = "too_many_hops"
        case 487: name = "cancelled"
        case 501: name = "not_implemented"
        case 503: name = "unavailable"
        case 505: name = "version_not_supported"
        default: name = "status_\(status)"
        }
        return method.rawValue.lowercased() + "." + name
    }

    /// Writes the event with the request's facts.
    public func log(to logger: Logger, status: Int, context: SIPRequestContext) {
        log(
            to: logger, status: status, method: context.request.method, callID: context.essentials.callID,
            source: context.source)
    }

    /// Writes the event: `event`, `sip.direction` (`in`: the request was received), `sip.method`,
    /// `sip.status`, `sip.call_id`, `sip.source`, `sip.transport`, and `sip.aor`, `sip.instrument`, `sip.instance`, `sip.auth_user`, `detail`
    /// when known.
    public func log(to logger: Logger, status: Int, method: SIPMethod, callID: String, source: SIPSource) {
        let level = self.level ?? (status >= 500 ? .warning : .info)
        guard logger.logLevel <= level else { return }
        let outcome = self.outcome ?? Self.defaultOutcome(method: method, status: status)
        var metadata: Logger.Metadata = [
            "event": .string(outcome),
            "sip.direction": "in",
            "sip.method": .string(method.rawValue),
            "sip.status": .stringConvertible(status),
            "sip.call_id": .string(callID),
            "sip.source": .string(source.remote.sipHostPort),
            "sip.transport": .string(source.transport.description),
        ]
        if let aor { metadata["sip.aor"] = .string(aor) }
        if let instrument { metadata["sip.instrument"] = .string(instrument.value) }
        if !instances.isEmpty { metadata["sip.instance"] = .string(instances.joined(separator: ",")) }
        if let authUser { metadata["sip.auth_user"] = .string(authUser) }
        if let detail { metadata["detail"] = .string(detail) }
        logger.log(level: level, "\(outcome)", metadata: metadata)
    }
}
