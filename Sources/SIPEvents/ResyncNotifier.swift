public import Logging
public import SIPAuth
public import SIPCore
public import SIPStorage
public import SIPTransport
import NIOCore

/// Tells phones that do not subscribe to http-monitor that their configuration changed, the
/// way their vendor expects (``ResyncMechanism``): one out-of-dialog NOTIFY per registered flow
/// of the instrument (a phone's lines usually share one, so the phone reloads once, not once
/// per line), sent where the binding came from (its connection, or its source address: RFC
/// 5626 §5.3), with the binding's Path as Route. A phone that challenges the NOTIFY (Cisco
/// always, snom with `challenge_checksync`) gets it again with the digest credentials of the
/// line it registered (`user/MAC` and that user's password, RFC 3261 §22.2), as sipXecs does.
public final class ResyncNotifier: Sendable {
    let vendors: Set<String>
    let location: LocationService
    let credentials: any CredentialStore
    let sender: any SIPRequestSending
    let clock: any SIPClock
    let domain: String
    let logger: Logger

    /// - Parameter vendors: the vendors to resync (lower-case names; empty: none).
    public init(
        vendors: Set<String>, location: LocationService, credentials: any CredentialStore, sender: any SIPRequestSending,
        domain: String, clock: any SIPClock = SystemClock(), logger: Logger
    ) {
        self.vendors = Set(vendors.map { $0.lowercased() })
        self.location = location
        self.credentials = credentials
        self.sender = sender
        self.domain = domain
        self.clock = clock
        self.logger = logger
    }

    /// Resyncs `instrument` if its vendor is enabled; returns the final statuses (nil: no answer),
    /// one per flow notified.
    @discardableResult
    public func configurationChanged(_ instrument: ProvisionedInstrument) async -> [Int?] {
        guard vendors.contains(instrument.vendor.lowercased()), let mechanism = ResyncMechanism(vendor: instrument.vendor)
        else { return [] }
        var flows = Set<String>()
        var statuses: [Int?] = []
        let bindings = location.contacts(instrument: instrument.id, now: clock.now()).sorted { $0.updatedAt > $1.updatedAt }
        for binding in bindings where flows.insert(binding.transport + " " + binding.source).inserted {
            let line = instrument.lines.first { Binding.canonicalAOR(user: $0.user, domain: $0.domain) == binding.aor }
            statuses.append(
                await resync(binding, line: line, instrument: instrument.id, vendor: instrument.vendor, mechanism: mechanism))
        }
        return statuses
    }

    private func resync(
        _ binding: Binding, line: LineAppearance?, instrument: SIPInstrumentID, vendor: String, mechanism: ResyncMechanism
    ) async -> Int?
    {
        guard let destination = Self.destination(binding) else {
            EventMetrics.resync(vendor: vendor, status: nil)
            return nil
        }
        let callID = SIPTag.random() + "@" + domain
        let fromTag = SIPTag.random()
        var request: SIPRequest
        do { request = try notify(binding, mechanism: mechanism, callID: callID, fromTag: fromTag, cseq: 1) } catch {
            return nil
        }
        var response = await sender.send(request, to: destination)
        if let challenged = response, challenged.statusCode == 401 || challenged.statusCode == 407, let line,
            let password = try? await credentials.password(user: line.user, domain: line.domain)
        {
            let proxy = challenged.statusCode == 407
            let challenges = (try? proxy ? challenged.proxyAuthenticates() : challenged.wwwAuthenticates()) ?? []
            if let challenge = challenges.first(where: \.isDigest) {
                let answer = DigestClient.credentials(
                    answering: challenge, username: line.authUsername(on: instrument), password: password,
                    method: "NOTIFY", digestURI: request.uri.description, nonceCount: challenge.qop == nil ? nil : 1,
                    cnonce: SIPTag.random())
                do {
                    request = try notify(binding, mechanism: mechanism, callID: callID, fromTag: fromTag, cseq: 2)
                    request.headers.insert(
                        SIPHeaderField(proxy ? .proxyAuthorization : .authorization, answer.description),
                        at: request.headers.count - 1)
                    response = await sender.send(request, to: destination)
                } catch {}
            }
        }
        EventMetrics.resync(vendor: vendor, status: response?.statusCode)
        logger.info(
            "resync.sent",
            metadata: [
                "event": "resync.sent", "sip.direction": "out", "sip.instrument": "\(instrument)", "sip.aor": "\(binding.aor)",
                "sip.event": "\(mechanism.event)", "sip.status": "\(response.map { String($0.statusCode) } ?? "none")",
                "sip.remote": "\(binding.source)",
            ])
        return response?.statusCode
    }

    private func notify(_ binding: Binding, mechanism: ResyncMechanism, callID: String, fromTag: String, cseq: UInt32)
        throws(SIPParseError) -> SIPRequest
    {
        let transport = SIPTransportProtocol(token: binding.transport) ?? .udp
        var request = SIPRequest(method: .notify, uri: try SIPURI(parsing: binding.contact))
        request.headers.append(
            .via, "SIP/2.0/\(transport.description.uppercased()) \(binding.localListener);branch=\(sender.makeBranch());rport")
        request.headers.append(.maxForwards, "70")
        for route in binding.path { request.headers.append(.route, route) }
        request.headers.append(.to, "<\(binding.aor)>")
        request.headers.append(.from, "<sip:switchboard@\(domain)>;tag=\(fromTag)")
        request.headers.append(.callID, callID)
        request.headers.append(.cseq, "\(cseq) NOTIFY")
        request.headers.append(.contact, "<sip:switchboard@\(binding.localListener)>")
        request.headers.append(.event, mechanism.event)
        request.headers.append(.subscriptionState, "terminated")
        request.headers.append(.contentLength, "0")
        return request
    }

    /// The binding's flow (RFC 5626 §5.3): its connection, or the address its REGISTER came from.
    static func destination(_ binding: Binding) -> SIPDestination? {
        SIPTargetResolver.flowDestination(
            transport: binding.transport, remote: binding.source, connectionID: binding.connectionID)
    }
}
