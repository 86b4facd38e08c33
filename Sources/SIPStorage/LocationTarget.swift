public import SIPCore

/// What a request for one of our domains is addressed to, as the location service resolves it
/// (RFC 3261 §16.5; draft-worley-instrument-identification §3).
public enum SIPLocationTarget: Sendable, Hashable {
    /// `sip:user@domain`: the bindings of the address-of-record (canonical form).
    case addressOfRecord(String)
    /// `sip:~~in~MAC@domain`: every binding registered by the instrument, across its AORs.
    case instrument(SIPInstrumentID)
    /// `sip:~~in~USER&MAC@domain`: the bindings of one AOR registered by the instrument.
    case lineAppearance(SIPInstrumentID, aor: String)

    /// The target a SIP/SIPS Request-URI names; nil for a tel URI or a URI without a user part.
    public init?(requestURI uri: SIPURI) {
        guard uri.scheme != .tel, uri.user != nil else { return nil }
        if let target = SIPInstrumentTarget(requestURI: uri) {
            if let user = target.user {
                var aorURI = uri
                aorURI.user = SIPURI.escapeUser(user)
                self = .lineAppearance(target.instrument, aor: Binding.canonicalAOR(aorURI))
            } else {
                self = .instrument(target.instrument)
            }
        } else {
            self = .addressOfRecord(Binding.canonicalAOR(uri))
        }
    }
}
