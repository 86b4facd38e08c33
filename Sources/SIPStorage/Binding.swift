public import SIPCore

/// One registered contact of an address-of-record (RFC 3261 §10.3), with everything a registrar
/// learns about where it came from: the instrument (draft-worley-instrument-identification), the
/// outbound instance and flow (RFC 5626 §6), the Path (RFC 3327) and the source of the REGISTER.
public struct Binding: Sendable, Hashable {
    /// The address-of-record in canonical form, `sip:user@domain` (see ``canonicalAOR(_:)``).
    public var aor: String
    /// The Contact URI as registered (without the name-addr brackets and header parameters).
    public var contact: String
    /// When the binding expires (absolute wall-clock time).
    public var expiresAt: SIPTimestamp
    /// The Contact `q` value in thousandths (RFC 3261 §20.10: `q=0.5` → 500), 0…1000.
    public var q: Int
    /// Call-ID of the REGISTER that created or last refreshed the binding (RFC 3261 §10.3 step 7).
    public var callID: String
    /// CSeq number of that REGISTER.
    public var cseq: UInt32
    /// The physical phone that registered it: from the auth username `user/INSTRUMENT`, or the
    /// node field of a version-1 `+sip.instance` UUID; nil when unknown.
    public var instrument: SIPInstrumentID?
    /// The Contact's `+sip.instance` value without quotes and angle brackets, e.g.
    /// `urn:uuid:00000000-0000-1000-8000-0000deadbeef` (RFC 5626 §4.1).
    public var instance: String?
    /// The Contact's `reg-id` (RFC 5626 §4.2).
    public var regID: Int?
    /// The Path header values of the REGISTER, in order (RFC 3327 §5.3).
    public var path: [String]
    /// The remote address the REGISTER came from, as text (`203.0.113.7:5060`, `[2001:db8::1]:5060`).
    public var source: String
    /// The transport it came over: `udp`, `tcp` or `tls`.
    public var transport: String
    /// The TCP/TLS connection it came over (the flow, RFC 5626 §5.2); nil for UDP.
    public var connectionID: UInt64?
    /// The local listener that received it, as text (`0.0.0.0:5060`).
    public var localListener: String
    /// The User-Agent header of the REGISTER.
    public var userAgent: String?
    /// When this binding was first registered.
    public var registeredAt: SIPTimestamp
    /// When it was last written (created or refreshed).
    public var updatedAt: SIPTimestamp

    public init(
        aor: String, contact: String, expiresAt: SIPTimestamp, q: Int = 1000,
        callID: String, cseq: UInt32, instrument: SIPInstrumentID? = nil, instance: String? = nil,
        regID: Int? = nil, path: [String] = [], source: String, transport: String,
        connectionID: UInt64? = nil, localListener: String, userAgent: String? = nil,
        registeredAt: SIPTimestamp, updatedAt: SIPTimestamp
    ) {
        self.aor = aor
        self.contact = contact
        self.expiresAt = expiresAt
        self.q = q
        self.callID = callID
        self.cseq = cseq
        self.instrument = instrument
        self.instance = instance
        self.regID = regID
        self.path = path
        self.source = source
        self.transport = transport
        self.connectionID = connectionID
        self.localListener = localListener
        self.userAgent = userAgent
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
    }

    /// The key that identifies this binding within its AOR (RFC 5626 §6 / RFC 3261 §10.3).
    public var key: BindingKey { BindingKey(aor: aor, contact: contact, instance: instance, regID: regID) }

    /// True when the binding has expired at `now` (expiry is inclusive: a binding that expires
    /// at `now` is gone).
    public func isExpired(at now: SIPTimestamp) -> Bool { expiresAt <= now }

    /// The canonical AOR text of a To URI: `sip:user@host` per ``SIPURI/addressOfRecord``
    /// (RFC 3261 §10.3 step 5: scheme, user and lower-cased host; no port, parameters or headers).
    public static func canonicalAOR(_ uri: SIPURI) -> String { uri.addressOfRecord.description }

    /// The canonical AOR of a user of a domain: `sip:user@domain`, domain lower-cased.
    public static func canonicalAOR(user: String, domain: String) -> String {
        "sip:\(user)@\(SIPUserCredential.canonicalDomain(domain))"
    }
}

/// Identifies a binding within the location service.
///
/// RFC 5626 §6: when the Contact carries both `+sip.instance` and `reg-id`, the binding is keyed
/// by (AOR, instance, reg-id), so a re-registration over a new flow replaces the old flow's
/// binding. Otherwise it is keyed by (AOR, contact URI) as in RFC 3261 §10.3 step 7. Contact URIs
/// are compared as text: the registrar, which compares URIs per RFC 3261 §19.1.4, passes the
/// stored contact string of a binding it refreshes.
public enum BindingKey: Sendable, Hashable, CustomStringConvertible {
    case outbound(aor: String, instance: String, regID: Int)
    case contact(aor: String, contact: String)

    public init(aor: String, contact: String, instance: String?, regID: Int?) {
        if let instance, let regID {
            self = .outbound(aor: aor, instance: instance, regID: regID)
        } else {
            self = .contact(aor: aor, contact: contact)
        }
    }

    /// The AOR the key belongs to.
    public var aor: String {
        switch self {
        case .outbound(let aor, _, _), .contact(let aor, _): aor
        }
    }

    /// A single-string form, unique per key, for backends that index by one column. Fields are
    /// separated by U+001F, a control character no SIP header value can hold.
    public var storageKey: String {
        switch self {
        case .outbound(let aor, let instance, let regID): "o\u{1F}\(aor)\u{1F}\(instance)\u{1F}\(regID)"
        case .contact(let aor, let contact): "c\u{1F}\(aor)\u{1F}\(contact)"
        }
    }

    public var description: String {
        switch self {
        case .outbound(let aor, let instance, let regID): "\(aor) instance=\(instance) reg-id=\(regID)"
        case .contact(let aor, let contact): "\(aor) contact=\(contact)"
        }
    }
}
