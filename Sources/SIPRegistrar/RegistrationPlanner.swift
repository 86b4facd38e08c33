public import SIPCore
public import SIPStorage

/// What the registrar knows about one REGISTER once it is authenticated: the facts the
/// binding rules of RFC 3261 §10.3 steps 5–8 (and RFC 5626 §6, RFC 3327 §5.3) work on.
public struct RegistrationRequest: Sendable {
    public var aor: String
    public var callID: String
    public var cseq: UInt32
    public var contacts: SIPContactList
    /// The Expires header, when present.
    public var expiresHeader: UInt32?
    /// `Supported: outbound` (or `Require: outbound`) was in the request (RFC 5626 §6).
    public var supportsOutbound: Bool
    /// The Path header values (RFC 3327), stored with each binding.
    public var path: [String]
    /// The instrument that sent it: from the auth username, else nil (the planner then looks
    /// at a version-1 `+sip.instance`).
    public var instrument: SIPInstrumentID?
    public var source: String
    public var transport: String
    public var connectionID: UInt64?
    public var localListener: String
    public var userAgent: String?

    public init(
        aor: String, callID: String, cseq: UInt32, contacts: SIPContactList, expiresHeader: UInt32?,
        supportsOutbound: Bool, path: [String], instrument: SIPInstrumentID?, source: String, transport: String,
        connectionID: UInt64?, localListener: String, userAgent: String?
    ) {
        self.aor = aor
        self.callID = callID
        self.cseq = cseq
        self.contacts = contacts
        self.expiresHeader = expiresHeader
        self.supportsOutbound = supportsOutbound
        self.path = path
        self.instrument = instrument
        self.source = source
        self.transport = transport
        self.connectionID = connectionID
        self.localListener = localListener
        self.userAgent = userAgent
    }
}

/// Turns a REGISTER into binding updates (RFC 3261 §10.3 steps 6–8), as a pure function of the
/// request, the AOR's current bindings, the policy and the time.
///
/// - `Contact: *` needs `Expires: 0` and no other Contact; it removes every binding of the AOR,
///   unless one has the request's Call-ID with a CSeq not lower than the request's: then the
///   whole request fails and nothing is removed (step 6).
/// - Each contact's interval is its `expires` parameter, else the Expires header, else the
///   default; 0 removes; below Min-Expires → 423; above the maximum → shortened (step 7).
/// - A binding is identified by (AOR, `+sip.instance`, `reg-id`) when the request supports
///   outbound and the contact has both (RFC 5626 §6), otherwise by the contact URI compared
///   per RFC 3261 §19.1.4. With the same Call-ID, a CSeq not higher than the stored one is
///   refused (step 7).
/// - More than one Contact with `reg-id` → 400 (RFC 5626 §6).
public enum RegistrationPlanner {
    public static func plan(
        _ request: RegistrationRequest, existing: [Binding], policy: RegistrarPolicy, now: SIPTimestamp
    ) throws(SIPResponseError) -> [BindingUpdate] {
        switch request.contacts {
        case .wildcard:
            guard request.expiresHeader == 0 else {
                throw .badRequest("Contact * requires Expires: 0")
            }
            // RFC 3261 §10.3 step 6: a binding of this Call-ID with a CSeq not lower aborts the update.
            if let current = existing.first(where: { $0.callID == request.callID && request.cseq <= $0.cseq }) {
                throw outOfOrder(request.cseq, stored: current.cseq)
            }
            return existing.map { .remove($0.key) }
        case .contacts(let contacts):
            return try planContacts(contacts, request, existing: existing, policy: policy, now: now)
        }
    }

    private static func planContacts(
        _ contacts: [SIPContact], _ request: RegistrationRequest, existing: [Binding], policy: RegistrarPolicy,
        now: SIPTimestamp
    ) throws(SIPResponseError) -> [BindingUpdate] {
        if request.supportsOutbound, contacts.filter({ $0.address.parameters.contains("reg-id") }).count > 1 {
            throw .badRequest("more than one Contact with reg-id")
        }
        var updates: [BindingUpdate] = []
        var seen: Set<BindingKey> = []
        for contact in contacts {
            if contact.hasInvalidQ { throw .badRequest("invalid q value in Contact") }
            if contact.address.parameters.contains("expires"), contact.expires == nil {
                throw .badRequest("invalid expires parameter in Contact")
            }
            let requested = contact.expires ?? request.expiresHeader ?? policy.defaultExpires
            if requested != 0, requested < policy.minExpires {
                throw SIPResponseError(
                    423, "Interval Too Brief",
                    headers: [SIPHeaderField(.minExpires, String(policy.minExpires))], outcome: "register.interval_too_brief")
            }
            let expires = min(requested, policy.maxExpires)
            let instance = contact.instance
            let regID = request.supportsOutbound && instance != nil ? contact.regID.map(Int.init) : nil
            let uri = contact.uri
            // RFC 3261 §19.1.4: an existing binding with an equivalent URI keeps its stored text.
            let contactText =
                existing.first { $0.key.isContactKey && (try? SIPURI(parsing: $0.contact)) == uri }?.contact
                ?? uri.description
            let key = BindingKey(aor: request.aor, contact: contactText, instance: instance, regID: regID)
            guard seen.insert(key).inserted else { continue }
            let current = existing.first { $0.key == key }
            if let current, current.callID == request.callID, request.cseq <= current.cseq {
                throw outOfOrder(request.cseq, stored: current.cseq)
            }
            if expires == 0 {
                if current != nil { updates.append(.remove(key)) }
                continue
            }
            let instrument = request.instrument ?? instance.flatMap(SIPInstrumentID.fromInstance)
            updates.append(
                .upsert(
                    Binding(
                        aor: request.aor, contact: contactText,
                        expiresAt: now.adding(seconds: Int64(expires)), q: contact.qThousandths ?? 1000,
                        callID: request.callID, cseq: request.cseq, instrument: instrument, instance: instance,
                        regID: regID, path: request.path, source: request.source, transport: request.transport,
                        connectionID: request.connectionID, localListener: request.localListener,
                        userAgent: request.userAgent, registeredAt: current?.registeredAt ?? now, updatedAt: now)))
        }
        return updates
    }
}

extension RegistrationPlanner {
    /// 400 for a CSeq not higher than the one stored for the same Call-ID (RFC 3261 §10.3 steps 6–7).
    static func outOfOrder(_ cseq: UInt32, stored: UInt32) -> SIPResponseError {
        SIPResponseError(
            400, "CSeq \(cseq) not higher than \(stored) for this Call-ID", outcome: "register.out_of_order")
    }
}

extension BindingKey {
    var isContactKey: Bool {
        if case .contact = self { return true }
        return false
    }
}
