import Logging
import SIPCore
import SIPTransport

/// The one structured log event of a REGISTER: what happened (`outcome`) and to whom. Operators
/// filter these by instrument and AOR (`switchboard logs --instrument MAC`). Never carries a
/// password, HA1, nonce or response.
struct RegistrationEvent: Sendable {
    var outcome = "register.unknown"
    var aor: String?
    var instrument: SIPInstrumentID?
    var instances: [String] = []
    var authUser: String?
    var detail: String?
    let callID: String
    let source: String
    let transport: String

    init(request: SIPRequest, source: SIPSource) {
        callID = String(request.callID ?? "")
        self.source = Registrar.describe(source.remote)
        transport = source.transport.description
    }

    func log(to logger: Logger, status: Int) {
        let level: Logger.Level
        switch outcome {
        case "register.ok", "register.challenge", "register.stale_nonce": level = .info
        case "register.lockout", "register.auth_failed", "register.forbidden": level = .notice
        case "register.store_unavailable": level = .error
        default: level = .info
        }
        // Build the metadata only when the event is logged at all (hot path under load).
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "event": .string(outcome),
            "sip.status": .stringConvertible(status),
            "sip.call_id": .string(callID),
            "sip.source": .string(source),
            "sip.transport": .string(transport),
        ]
        if let aor { metadata["sip.aor"] = .string(aor) }
        if let instrument { metadata["sip.instrument"] = .string(instrument.value) }
        if !instances.isEmpty { metadata["sip.instance"] = .string(instances.joined(separator: ",")) }
        if let authUser { metadata["sip.auth_user"] = .string(authUser) }
        if let detail { metadata["detail"] = .string(detail) }
        logger.log(level: level, "\(outcome)", metadata: metadata)
    }
}
