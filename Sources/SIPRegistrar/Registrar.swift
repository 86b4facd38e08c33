public import Logging
import NIOCore
import Metrics
public import SIPAuth
public import SIPCore
public import SIPStorage
public import SIPTransport

/// The REGISTER handler (RFC 3261 §10.3) with instrument-aware digest authentication
/// (draft-worley-instrument-identification §1), RFC 5626 outbound and RFC 3327 Path.
///
/// For each REGISTER, in order: Request-URI domain (404), Require (420), brute-force lockout of
/// the source address (403), To AOR (400/404), digest authentication (401, `stale=true` for an
/// old nonce; unknown user and wrong password give identical answers), auth user vs To user
/// (403), then the binding rules of ``RegistrationPlanner`` for the AOR — serialized per AOR —
/// and a group commit through ``BindingWriter``. The 200 OK is built only after the commit, from
/// the ``LocationService`` it updates, and lists every current binding with its remaining
/// expiry, plus Date (§10.3 step 8).
///
/// Every outcome is logged once, as a structured event (`register.ok`, `register.challenge`,
/// `register.auth_failed`, `register.lockout`, …) with the AOR, instrument, instance, source and
/// transport as metadata, and counted in `sip_register_total{outcome}`. No secret is logged.
public final class Registrar: Sendable {
    public let configuration: SIPRegistrarConfiguration
    public let location: LocationService
    let credentials: any CredentialStore
    let writer: BindingWriter
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter
    let logger: Logger
    let now: @Sendable () -> SIPTimestamp
    let serializer = AORSerializer()

    /// Extensions this registrar supports (RFC 3261 §8.2.2.3; RFC 3327; RFC 5626).
    public static let supportedExtensions = ["path", "outbound"]

    public init(
        configuration: SIPRegistrarConfiguration, location: LocationService, credentials: any CredentialStore,
        writer: BindingWriter, challenger: DigestChallenger, verifier: DigestVerifier, limiter: AuthFailureLimiter,
        logger: Logger, now: @escaping @Sendable () -> SIPTimestamp = { SIPTimestamp.now() }
    ) {
        self.configuration = configuration
        self.location = location
        self.credentials = credentials
        self.writer = writer
        self.challenger = challenger
        self.verifier = verifier
        self.limiter = limiter
        self.logger = logger
        self.now = now
    }

    /// What the registrar can say about a REGISTER without waiting for storage: the answer
    /// (rejections before authentication, and the first 401 challenge), or the prepared
    /// request to finish with ``finish(_:)``. Cheap and synchronous, so a transport thread can
    /// answer most unauthenticated REGISTERs at once.
    public enum FirstStep: Sendable {
        case respond(SIPResponse)
        case continueAsync(PreparedRegister)
    }

    /// A REGISTER that passed the checks before authentication and carries credentials.
    public struct PreparedRegister: Sendable {
        let request: SIPRequest
        let source: SIPSource
        let sourceAddress: String
        let to: SIPNameAddress
        let toUser: String
        let aor: String
        let credentials: SIPAuthHeader
        var event: RegistrationEvent
    }

    /// Answers one REGISTER (``begin(_:source:)`` then, when needed, ``finish(_:)``).
    public func handleRegister(_ request: SIPRequest, source: SIPSource) async -> SIPResponse {
        switch begin(request, source: source) {
        case .respond(let response): return response
        case .continueAsync(let prepared): return await finish(prepared)
        }
    }

    /// The synchronous part of REGISTER handling: domain, Require, lockout, To, and the
    /// challenge of a request without credentials.
    public func begin(_ request: SIPRequest, source: SIPSource) -> FirstStep {
        var event = RegistrationEvent(request: request, source: source)
        do {
            return .continueAsync(try prepare(request, source: source, event: &event))
        } catch {
            return .respond(reply(request, rejection: error, event: &event))
        }
    }

    /// The part that needs storage: password lookup, digest verification, binding rules and the
    /// group commit.
    public func finish(_ prepared: PreparedRegister) async -> SIPResponse {
        var event = prepared.event
        let response: SIPResponse
        do {
            response = try await register(prepared, event: &event)
            event.outcome = "register.ok"
        } catch {
            return reply(prepared.request, rejection: error, event: &event)
        }
        record(event, status: response.statusCode)
        return response
    }

    private func reply(_ request: SIPRequest, rejection: RegistrarRejection, event: inout RegistrationEvent)
        -> SIPResponse
    {
        var reply = SIPResponse(
            answering: request, statusCode: rejection.statusCode, reasonPhrase: rejection.reasonPhrase,
            toTag: Self.makeTag())
        for field in rejection.headers { reply.headers.insert(field, at: reply.headers.count - 1) }
        event.outcome = rejection.outcome
        event.detail = event.detail ?? rejection.reasonPhrase
        record(event, status: reply.statusCode)
        return reply
    }

    private func record(_ event: RegistrationEvent, status: Int) {
        event.log(to: logger, status: status)
        Counter(label: "sip_register_total", dimensions: [("outcome", event.outcome)]).increment()
    }

    private func prepare(_ request: SIPRequest, source: SIPSource, event: inout RegistrationEvent)
        throws(RegistrarRejection) -> PreparedRegister
    {
        guard isOurDomain(request.uri) else {
            throw RegistrarRejection(404, "Not Found", outcome: "register.not_our_domain")
        }
        let required = (try? request.require) ?? []
        let unsupported = required.filter { tag in !Self.supportedExtensions.contains { $0 == tag.lowercased() } }
        if !unsupported.isEmpty {
            throw RegistrarRejection(
                420, "Bad Extension", headers: [SIPHeaderField(.unsupported, unsupported.joined(separator: ", "))],
                outcome: "register.bad_extension")
        }
        let sourceAddress = source.remote.ipAddress ?? "unknown"
        if limiter.isLockedOut(sourceAddress) {
            throw RegistrarRejection(
                AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: "register.lockout")
        }
        let to: SIPNameAddress
        do { to = try request.to } catch { throw .badRequest(error.reason) }
        guard to.uri.scheme != .tel, let toUser = to.uri.unescapedUser, !toUser.isEmpty else {
            throw .badRequest("To has no user part")
        }
        guard isOurDomain(to.uri) else {
            throw RegistrarRejection(404, "Not Found", outcome: "register.not_our_domain")
        }
        let aor = Binding.canonicalAOR(to.uri)
        event.aor = aor
        let offered: [SIPAuthHeader]
        do { offered = try request.authorizations() } catch { throw .badRequest(error.reason) }
        guard let credentials = DigestVerifier.credentials(in: offered, realm: configuration.realm) else {
            throw challenge(stale: false, outcome: "register.challenge")
        }
        event.authUser = credentials.digestUsername?.full
        return PreparedRegister(
            request: request, source: source, sourceAddress: sourceAddress, to: to, toUser: toUser, aor: aor,
            credentials: credentials, event: event)
    }

    private func register(_ prepared: PreparedRegister, event: inout RegistrationEvent)
        async throws(RegistrarRejection) -> SIPResponse
    {
        let request = prepared.request
        let aor = prepared.aor
        let username = try await authenticate(prepared, event: &event)
        if configuration.requireAORMatch, username.user != prepared.toUser {
            throw RegistrarRejection(403, "Auth user does not match the To AOR", outcome: "register.forbidden")
        }
        event.instrument = username.instrument

        let registration = try registrationRequest(request, aor: aor, username: username, source: prepared.source)
        event.instances = registration.contacts.contacts.compactMap(\.instance)
        let now = self.now()
        let current: [Binding] = try await serializer.withAOR(aor) { () async throws(RegistrarRejection) -> [Binding] in
            let existing = location.contacts(aor: aor, now: now)
            let updates = try RegistrationPlanner.plan(
                registration, existing: existing, policy: configuration.policy, now: now)
            if !updates.isEmpty {
                let changes: [BindingChange?]
                do { changes = try await writer.submit(updates) } catch {
                    throw RegistrarRejection(
                        503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, "5")],
                        outcome: "register.store_unavailable")
                }
                location.apply(changes.compactMap { $0 })
            }
            return location.contacts(aor: aor, now: now)
        }
        if event.instrument == nil { event.instrument = current.first { $0.callID == registration.callID }?.instrument }
        return okResponse(request, bindings: current, registration: registration, now: now)
    }

    /// Digest authentication (RFC 3261 §22.4, RFC 7616). Throws the 401/403 to send.
    private func authenticate(_ prepared: PreparedRegister, event: inout RegistrationEvent)
        async throws(RegistrarRejection) -> SIPAuthUsername
    {
        let request = prepared.request
        let credentials = prepared.credentials
        let realm = configuration.realm
        let domain = prepared.to.uri.normalizedHost
        let source = prepared.sourceAddress
        let username = credentials.digestUsername
        var password: String?
        if let username {
            do { password = try await self.credentials.password(user: username.user, domain: domain) } catch {
                throw RegistrarRejection(
                    503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, "5")],
                    outcome: "register.store_unavailable")
            }
        }
        switch verifier.verify(
            method: request.method, requestURI: request.uri, credentials: credentials, realm: realm, password: password)
        {
        case .success(let verified):
            return verified
        case .stale:
            throw challenge(stale: true, outcome: "register.stale_nonce")
        case .failure(let reason):
            event.detail = reason.rawValue
            switch limiter.recordFailure(from: source) {
            case .lockedOut, .alreadyLockedOut:
                throw RegistrarRejection(
                    AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: "register.lockout")
            case .counted, .notCounted:
                break
            }
            throw challenge(stale: false, outcome: "register.auth_failed")
        }
    }

    private func challenge(stale: Bool, outcome: String) -> RegistrarRejection {
        RegistrarRejection(
            401, "Unauthorized", headers: challenger.headerFields(kind: .wwwAuthenticate, stale: stale),
            outcome: outcome)
    }

    private func registrationRequest(
        _ request: SIPRequest, aor: String, username: SIPAuthUsername, source: SIPSource
    ) throws(RegistrarRejection) -> RegistrationRequest {
        let contacts: SIPContactList
        let expires: UInt32?
        let path: [String]
        do {
            contacts = try request.contacts()
            expires = try request.expires
            path = try request.headers.values(.path).map(String.init)
        } catch { throw .badRequest(error.reason) }
        let supported = ((try? request.supported) ?? []) + ((try? request.require) ?? [])
        return RegistrationRequest(
            aor: aor, callID: String(request.callID ?? ""), cseq: (try? request.cseq.sequence) ?? 0,
            contacts: contacts, expiresHeader: expires,
            supportsOutbound: supported.contains { $0.lowercased() == "outbound" }, path: path,
            instrument: username.instrument, source: Self.describe(source.remote),
            transport: source.transport.description, connectionID: source.connectionID?.rawValue,
            localListener: Self.describe(source.local), userAgent: request.userAgent)
    }

    /// 200 OK (RFC 3261 §10.3 step 8): every current binding with its remaining expiry,
    /// Date, Path when the UA supports it (RFC 3327 §5.3), Require: outbound when a flow was
    /// registered (RFC 5626 §6).
    private func okResponse(
        _ request: SIPRequest, bindings: [Binding], registration: RegistrationRequest, now: SIPTimestamp
    ) -> SIPResponse {
        var response = SIPResponse(answering: request, statusCode: 200, toTag: Self.makeTag())
        response.headers.removeAll(.contentLength)
        for binding in bindings {
            var value = "<\(binding.contact)>;expires=\(max(0, binding.expiresAt.secondsSince1970 - now.secondsSince1970))"
            if binding.q != 1000 { value += ";q=\(Self.formatQ(binding.q))" }
            if let instance = binding.instance { value += ";+sip.instance=\"<\(instance)>\"" }
            if let regID = binding.regID { value += ";reg-id=\(regID)" }
            response.headers.append(.contact, value)
        }
        let supported = ((try? request.supported) ?? []).map { $0.lowercased() }
        if supported.contains("path") {
            for path in registration.path { response.headers.append(.path, path) }
        }
        if registration.supportsOutbound,
            bindings.contains(where: { $0.regID != nil && $0.callID == registration.callID })
        {
            response.headers.append(.require, "outbound")
        }
        response.headers.append(.supported, Self.supportedExtensions.joined(separator: ", "))
        response.headers.append(.date, HTTPDate.format(now))
        response.headers.append(.contentLength, "0")
        return response
    }

    func isOurDomain(_ uri: SIPURI) -> Bool {
        uri.scheme != .tel && configuration.domains.contains(uri.normalizedHost)
    }

    static func formatQ(_ thousandths: Int) -> String {
        if thousandths >= 1000 { return "1" }
        var digits = String(thousandths)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "0." + (digits.isEmpty ? "0" : digits)
    }

    /// `203.0.113.7:5060`, `[2001:db8::1]:5060`.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    /// A To tag (RFC 3261 §19.3: at least 32 bits of randomness).
    public static func makeTag() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36)
    }
}
