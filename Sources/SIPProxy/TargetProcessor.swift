public import SIPCore
public import SIPStorage
public import SIPTransaction
import SIPTransport

/// Target determination (RFC 3261 §16.5; draft-worley-instrument-identification §2–3):
///
/// - A request that came with our Route goes over the other flow its flow token names
///   (RFC 5626 §5.3), else to its next Route, else to its Request-URI — no location lookup,
///   no relay check (we record-routed its dialog) — unless the Request-URI is one of our
///   domains (an initial request sent through us as outbound proxy): then it is looked up.
/// - A request with a Route that is not ours (a pre-loaded route) goes to that Route.
/// - A Request-URI in one of our domains is looked up in the ``LocationService``:
///   `sip:user@domain` → the AOR's bindings by `q` (``TargetSet/addressOfRecord(_:)``);
///   `sip:~~in~MAC@domain` → every binding of the instrument, in parallel;
///   `sip:~~in~USER&MAC@domain` → user USER's bindings from that instrument. No binding: 404
///   for a user we do not know, 480 Temporarily Unavailable for a known user or an instrument
///   (instruments have no registry yet, so one that is offline and one never seen look alike).
/// - Any other Request-URI is relayed (RFC 3263 resolution happens when the branch starts)
///   when the ``ProxyAuthPolicy/relay`` policy allows it for this request, else 403.
public struct TargetProcessor: SIPRequestProcessor {
    let listeners: ProxyListeners
    let location: LocationService
    let credentials: any CredentialStore
    let relay: ProxyAuthPolicy.RelayPolicy
    let clock: any SIPClock

    public init(
        listeners: ProxyListeners, location: LocationService, credentials: any CredentialStore,
        relay: ProxyAuthPolicy.RelayPolicy, clock: any SIPClock = SystemClock()
    ) {
        self.listeners = listeners
        self.location = location
        self.credentials = credentials
        self.relay = relay
        self.clock = clock
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method != .cancel else { return .continue }
        let request = context.proxyRequest
        let routing = context[ProxyContext.Routing.self] ?? ProxyRouting()
        if routing.hadOurRoute, let flow = routing.flowToken?.destination(forRequestFrom: context.source) {
            context[ProxyContext.Targets.self] = TargetSet(single: ProxyTarget(requestURI: request.uri, nextHop: .flow(flow)))
            return .continue
        }
        if request.headers.contains(.route) {
            if !routing.hadOurRoute { try checkRelay(context, request) }
            context[ProxyContext.Targets.self] = TargetSet(single: try routed(request))
            return .continue
        }
        if listeners.identity.isOurDomain(request.uri) {
            // Also when our Route was the only one: an initial request sent through us as
            // outbound proxy (a pre-loaded Route) still needs its target looked up.
            context[ProxyContext.Targets.self] = try located(request, event: &context.event)
            return .continue
        }
        if listeners.isUs(SIPURI(scheme: request.uri.scheme, host: request.uri.host, port: request.uri.port, parameters: request.uri.parameters)) {
            throw SIPResponseError(404, "Not Found", outcome: outcome(request, "not_found"))
        }
        if !routing.hadOurRoute { try checkRelay(context, request) }
        context[ProxyContext.Targets.self] = TargetSet(single: ProxyTarget(requestURI: request.uri, nextHop: .uri(request.uri)))
        return .continue
    }

    /// A request with a Route set goes to its top Route (loose routing, §16.6 step 6 ff.).
    private func routed(_ request: SIPRequest) throws(SIPResponseError) -> ProxyTarget {
        let top: SIPNameAddress
        do {
            guard let index = request.headers.firstIndex(of: .route),
                let value = try request.headers.values(at: index).first
            else { throw SIPParseError(.invalidHeaderValue, "empty Route") }
            top = try SIPNameAddress(parsing: value)
        } catch {
            throw .badRequest("Invalid Route")
        }
        return ProxyTarget(requestURI: request.uri, nextHop: .uri(top.uri))
    }

    private func located(_ request: SIPRequest, event: inout SIPRequestEvent) throws(SIPResponseError) -> TargetSet {
        let uri = request.uri
        guard let target = SIPLocationTarget(requestURI: uri) else {
            throw SIPResponseError(404, "Not Found", outcome: outcome(request, "not_found"))
        }
        let bindings = location.contacts(for: target, now: clock.now())
        let set: TargetSet
        switch target {
        case .addressOfRecord(let aor):
            event.aor = aor
            set = TargetSet.addressOfRecord(bindings)
        case .instrument(let instrument):
            event.instrument = instrument
            set = TargetSet.instrument(bindings)
        case .lineAppearance(let instrument, let aor):
            event.aor = aor
            event.instrument = instrument
            set = TargetSet.instrument(bindings)
        }
        guard set.targets.isEmpty else { return set }
        switch target {
        case .addressOfRecord(let aor), .lineAppearance(_, let aor):
            if isUnknownUser(aor: aor) { throw SIPResponseError(404, "Not Found", outcome: outcome(request, "not_found")) }
        case .instrument:
            break
        }
        throw SIPResponseError(480, "Temporarily Unavailable", outcome: outcome(request, "unavailable"))
    }

    /// True when the store knows no user of the AOR (a store without a cache cannot tell on
    /// the event loop: then the user counts as known, and the answer is 480).
    private func isUnknownUser(aor: String) -> Bool {
        guard let uri = try? SIPURI(parsing: aor), let user = uri.unescapedUser else { return true }
        if case .unknownUser = credentials.cachedPassword(user: user, domain: uri.normalizedHost) { return true }
        return false
    }

    private func checkRelay(_ context: SIPRequestContext, _ request: SIPRequest) throws(SIPResponseError) {
        switch relay {
        case .open:
            return
        case .authenticated:
            if context[ProxyContext.AuthenticatedUser.self] != nil || context[ProxyContext.TrustedSource.self] == true {
                return
            }
        case .never:
            break
        }
        throw SIPResponseError(403, "Relaying Denied", outcome: outcome(request, "relay_denied"))
    }

    private func outcome(_ request: SIPRequest, _ name: String) -> String {
        request.method.rawValue.lowercased() + "." + name
    }
}
