public import SIPCore
public import SIPStorage
public import SIPTransport

/// Where a request is forwarded (RFC 3261 §16.5–16.6): the targets, in groups tried one after
/// the other — the targets of one group in parallel.
public struct TargetSet: Sendable {
    public var targets: [ProxyTarget]
    /// The size of each group, in order (sums to `targets.count`).
    public var groups: [Int]

    public init(targets: [ProxyTarget], groups: [Int]) {
        self.targets = targets
        self.groups = groups
    }

    /// One target, forwarded as is.
    public init(single target: ProxyTarget) {
        self.init(targets: [target], groups: [1])
    }

    /// Bindings of an address-of-record (§16.6): the highest `q` first, bindings of equal `q`
    /// in one parallel group, lower groups serially. Ties keep the location service's order.
    public static func addressOfRecord(_ bindings: [Binding]) -> TargetSet {
        let sorted = bindings.enumerated().sorted { lhs, rhs in
            lhs.element.q != rhs.element.q ? lhs.element.q > rhs.element.q : lhs.offset < rhs.offset
        }.map(\.element)
        var targets: [ProxyTarget] = []
        var groups: [Int] = []
        var previousQ: Int?
        for binding in sorted {
            guard let target = ProxyTarget(binding: binding) else { continue }
            targets.append(target)
            if binding.q == previousQ { groups[groups.count - 1] += 1 } else { groups.append(1) }
            previousQ = binding.q
        }
        return TargetSet(targets: targets, groups: groups)
    }

    /// Bindings of an instrument (draft-worley-instrument-identification §2): every one in
    /// parallel, `q` ignored.
    public static func instrument(_ bindings: [Binding]) -> TargetSet {
        let targets = bindings.compactMap(ProxyTarget.init(binding:))
        return TargetSet(targets: targets, groups: [targets.count])
    }
}

/// One branch's target (RFC 3261 §16.6): the Request-URI it gets, the Route values pushed in
/// front (a binding's Path, RFC 3327 §5.3), and its next hop.
public struct ProxyTarget: Sendable, Hashable {
    /// How the next hop is reached.
    public enum NextHop: Sendable, Hashable {
        /// A registered flow (RFC 5626 §5.3) or a flow named by a flow token: no lookup.
        case flow(SIPDestination)
        /// A URI resolved per RFC 3263 (the first Route value, else the Request-URI).
        case uri(SIPURI)
    }

    public var requestURI: SIPURI
    public var routes: [String]
    public var nextHop: NextHop
    /// The binding's AOR and instrument, for the log (nil when forwarding a URI).
    public var aor: String?
    public var instrument: SIPInstrumentID?

    public init(requestURI: SIPURI, routes: [String] = [], nextHop: NextHop, aor: String? = nil, instrument: SIPInstrumentID? = nil) {
        self.requestURI = requestURI
        self.routes = routes
        self.nextHop = nextHop
        self.aor = aor
        self.instrument = instrument
    }

    /// A registered binding: its contact as Request-URI, its Path as Route. It is reached over
    /// the flow it registered on (RFC 5626 §5.3) when there is one to use: its TCP/TLS
    /// connection, or — over UDP — the address its REGISTER came from when it registered an
    /// outbound flow (`reg-id`) or sits behind NAT (its Contact is a private address other than
    /// the source). Else through its first Path hop, else at its Contact.
    public init?(binding: Binding) {
        guard let contact = try? SIPURI(parsing: binding.contact) else { return nil }
        requestURI = contact
        routes = binding.path
        aor = binding.aor
        instrument = binding.instrument
        let flow = SIPTargetResolver.flowDestination(
            transport: binding.transport, remote: binding.source, connectionID: binding.connectionID)
        if let flow, binding.connectionID != nil || (binding.path.isEmpty && Self.usesUDPFlow(binding, contact: contact, flow: flow)) {
            nextHop = .flow(flow)
        } else if let first = binding.path.first, let route = try? SIPNameAddress(parsing: Substring(first)) {
            nextHop = .uri(route.uri)
        } else {
            nextHop = .uri(contact)
        }
    }

    /// A UDP binding is reached at its source address (the NAT mapping) when it registered an
    /// outbound flow, or when its Contact names a private address (RFC 1918, RFC 6598, IPv6
    /// unique-local or link-local) that is not where the REGISTER came from.
    static func usesUDPFlow(_ binding: Binding, contact: SIPURI, flow: SIPDestination) -> Bool {
        if binding.regID != nil { return true }
        let host = contact.normalizedHost
        guard host != flow.address.sipIPAddress else { return false }
        return isPrivate(host)
    }

    static func isPrivate(_ host: String) -> Bool {
        if host.contains(":") { return host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe80") }
        let octets = host.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return false }
        switch (octets[0], octets[1]) {
        case (10, _), (192, 168): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        case (169, 254): return true
        default: return false
        }
    }

    /// True when the next hop is a flow (its Record-Route carries a flow token).
    public var isFlow: Bool {
        if case .flow = nextHop { return true }
        return false
    }
}
