public import Logging
import Metrics
import NIOCore
import Synchronization
public import SIPAuth
public import SIPCore
public import SIPStorage
import SIPTransaction
public import SIPTransport

/// The REGISTER handler (RFC 3261 §10.3) with instrument-aware digest authentication
/// (draft-worley-instrument-identification §1), RFC 5626 outbound and RFC 3327 Path.
///
/// For each REGISTER, in order: Request-URI domain (404), Require (420), brute-force lockout of
/// the source address (403), To AOR (400/404), digest authentication (401, `stale=true` for an
/// old nonce; unknown user and wrong password give identical answers), auth user vs To user
/// (403), the instrument policy when ``provisionedLines`` is set (`auth.instrumentPolicy:
/// provisioned`: the `user/MAC` of the auth username must be a provisioned line appearance,
/// else 403), then the binding rules of ``RegistrationPlanner`` for the AOR — serialized per AOR —
/// and a group commit through ``BindingWriter``. The 200 OK is built only after the commit, from
/// the ``LocationService`` the writer updates, and lists every current binding with its
/// remaining expiry, plus Date (§10.3 step 8).
///
/// Threads: everything up to the commit runs on the caller's thread (the event loop that
/// received the request): the password comes from the store's in-memory cache, the digest is
/// checked and the bindings planned there; the commit runs on the writer, and the response is
/// built and sent back on the ``CompletionExecutor`` the caller gave (the same event loop). No
/// task is created per REGISTER.
///
/// Every outcome is logged once, as a structured ``SIPRequestEvent`` (`register.ok`,
/// `register.challenge`, `register.auth_failed`, `register.lockout`, …) with the AOR,
/// instrument, instance, source and transport as metadata, and counted in
/// `sip_register_total{outcome}`. No secret is logged.
public final class Registrar: Sendable {
    public let configuration: SIPRegistrarConfiguration
    public let location: LocationService
    let credentials: any CredentialStore
    let writer: BindingWriter
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter
    /// When set, only provisioned line appearances may register (checked after authentication,
    /// so the answer reveals nothing to who does not know the password).
    let provisionedLines: (any ProvisionedLineLookup)?
    let logger: Logger
    let clock: any SIPClock
    let serializer = AORSerializer()
    /// `sip_register_total{outcome}`, one counter per outcome, made once.
    private let outcomeCounters = Mutex<[String: Counter]>([:])

    /// Extensions this registrar supports (RFC 3261 §8.2.2.3; RFC 3327; RFC 5626).
    public static let supportedExtensions = ["path", "outbound"]

    public init(
        configuration: SIPRegistrarConfiguration, location: LocationService, credentials: any CredentialStore,
        writer: BindingWriter, challenger: DigestChallenger, verifier: DigestVerifier, limiter: AuthFailureLimiter,
        provisionedLines: (any ProvisionedLineLookup)? = nil, logger: Logger, clock: any SIPClock = SystemClock()
    ) {
        self.configuration = configuration
        self.location = location
        self.credentials = credentials
        self.writer = writer
        self.challenger = challenger
        self.verifier = verifier
        self.limiter = limiter
        self.provisionedLines = provisionedLines
        self.logger = logger
        self.clock = clock
    }

    /// One REGISTER as the registrar sees it: the request, its essentials parsed at ingress and
    /// where it came from.
    public struct Input: Sendable {
        public var request: SIPRequest
        public var essentials: SIPRequestEssentials
        public var source: SIPSource
        /// The Contact list when an earlier step parsed it already (nil: parsed here).
        public var contacts: SIPContactList?

        public init(
            request: SIPRequest, essentials: SIPRequestEssentials, source: SIPSource, contacts: SIPContactList? = nil
        ) {
            self.request = request
            self.essentials = essentials
            self.source = source
            self.contacts = contacts
        }
    }

    /// Answers one REGISTER.
    ///
    /// Returns the response when it is known without a commit (rejections, challenges, a
    /// failed digest check); otherwise returns nil and calls `completion` with the response
    /// once the bindings are committed, on `executor`. The outcome is logged either way.
    public func handle(
        _ input: Input, executor: CompletionExecutor, completion: @escaping @Sendable (SIPResponse) -> Void
    ) -> SIPResponse? {
        var event = SIPRequestEvent()
        let prepared: PreparedRegister
        do { prepared = try prepare(input, event: &event) } catch { return reply(input, rejection: error, event: &event) }
        let username = prepared.credentials.digestUsername
        let cached = username.map { credentials.cachedPassword(user: $0.user, domain: prepared.domain) } ?? .unknownUser
        switch cached {
        case .password(let password):
            return authenticated(prepared, password: password, event: event, executor: executor, completion: completion)
        case .unknownUser:
            return authenticated(prepared, password: nil, event: event, executor: executor, completion: completion)
        case .notCached:
            // A store without a credential cache: the one case that waits for storage before the
            // digest check. It resumes on the caller's executor.
            let event = event
            Task { [credentials] in
                let looked: Result<String?, StorageError>
                do throws(StorageError) {
                    looked = .success(try await credentials.password(user: username!.user, domain: prepared.domain))
                } catch {
                    looked = .failure(error)
                }
                executor.execute { [self] in
                    var event = event
                    switch looked {
                    case .success(let password):
                        if let response = authenticated(
                            prepared, password: password, event: event, executor: executor, completion: completion)
                        {
                            completion(response)
                        }
                    case .failure:
                        completion(reply(input, rejection: Self.storeUnavailable, event: &event))
                    }
                }
            }
            return nil
        }
    }

    /// Answers one REGISTER and returns the response (for callers outside the event loop, and
    /// tests): ``handle(_:executor:completion:)`` with the completion run where the commit
    /// finished.
    public func handleRegister(_ request: SIPRequest, source: SIPSource) async -> SIPResponse {
        let essentials: SIPRequestEssentials
        do throws(SIPRequestEssentials.Failure) { essentials = try SIPRequestEssentials(parsing: request) } catch {
            let parseError: SIPParseError
            switch error {
            case .unusableVia(let e), .invalid(let e, _): parseError = e
            }
            // The transport answers these before a registrar sees them (400 naming the header).
            return SIPResponse(answering: request, error: SIPResponseError(parseError))
        }
        let input = Input(request: request, essentials: essentials, source: source)
        return await withCheckedContinuation { continuation in
            if let response = handle(input, executor: .immediate, completion: { continuation.resume(returning: $0) }) {
                continuation.resume(returning: response)
            }
        }
    }

    /// A REGISTER that passed the checks before authentication and carries credentials.
    struct PreparedRegister: Sendable {
        let input: Input
        let sourceAddress: String
        let toUser: String
        let aor: String
        let domain: String
        let credentials: SIPAuthHeader
    }

    private func reply(_ input: Input, rejection: SIPResponseError, event: inout SIPRequestEvent) -> SIPResponse {
        let reply = SIPResponse(answering: input.request, error: rejection)
        if event.outcome == nil { event.outcome = rejection.outcome }
        event.detail = event.detail ?? rejection.reasonPhrase
        record(event, status: reply.statusCode, input: input)
        return reply
    }

    private func record(_ event: SIPRequestEvent, status: Int, input: Input) {
        var event = event
        event.level = Self.level(event.outcome, status: status)
        event.log(
            to: logger, status: status, method: input.request.method, callID: input.essentials.callID, source: input.source)
        let outcome = event.outcome ?? SIPRequestEvent.defaultOutcome(method: input.request.method, status: status)
        outcomeCounters.withLock { counters in
            if let counter = counters[outcome] { return counter }
            let counter = Counter(label: "sip_register_total", dimensions: [("outcome", outcome)])
            counters[outcome] = counter
            return counter
        }.increment()
    }

    private static func level(_ outcome: String?, status: Int) -> Logger.Level {
        switch outcome {
        case "register.lockout", "register.auth_failed", "register.forbidden", "register.not_provisioned": .notice
        case "register.store_unavailable": .error
        default: status >= 500 ? .warning : .info
        }
    }

    static let storeUnavailable = SIPResponseError(
        503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, "5")], outcome: "register.store_unavailable")

    /// Domain, Require, lockout, To, and the challenge of a request without credentials.
    private func prepare(_ input: Input, event: inout SIPRequestEvent) throws(SIPResponseError) -> PreparedRegister {
        let request = input.request
        guard isOurDomain(request.uri) else {
            throw SIPResponseError(404, "Not Found", outcome: "register.not_our_domain")
        }
        let required = (try? request.require) ?? []
        let unsupported = required.filter { tag in !Self.supportedExtensions.contains { $0 == tag.lowercased() } }
        if !unsupported.isEmpty {
            throw SIPResponseError(
                420, "Bad Extension", headers: [SIPHeaderField(.unsupported, unsupported.joined(separator: ", "))],
                outcome: "register.bad_extension")
        }
        let sourceAddress = input.source.remote.ipAddress ?? "unknown"
        if limiter.isLockedOut(sourceAddress) {
            throw SIPResponseError(
                AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: "register.lockout")
        }
        let to = input.essentials.to
        guard to.uri.scheme != .tel, let toUser = to.uri.unescapedUser, !toUser.isEmpty else {
            throw .badRequest("To has no user part")
        }
        guard isOurDomain(to.uri) else {
            throw SIPResponseError(404, "Not Found", outcome: "register.not_our_domain")
        }
        let aor = Binding.canonicalAOR(to.uri)
        event.aor = aor
        let offered: [SIPAuthHeader]
        do { offered = try request.authorizations() + request.proxyAuthorizations() } catch {
            throw .badRequest(error.reason)
        }
        guard let credentials = DigestVerifier.credentials(in: offered, realm: configuration.realm) else {
            throw challenge(stale: false, outcome: "register.challenge")
        }
        event.authUser = credentials.digestUsername?.full
        return PreparedRegister(
            input: input, sourceAddress: sourceAddress, toUser: toUser, aor: aor, domain: to.uri.normalizedHost,
            credentials: credentials)
    }

    /// After the password lookup: the digest check, then the binding rules and the commit.
    private func authenticated(
        _ prepared: PreparedRegister, password: String?, event: SIPRequestEvent, executor: CompletionExecutor,
        completion: @escaping @Sendable (SIPResponse) -> Void
    ) -> SIPResponse? {
        var event = event
        let input = prepared.input
        let registration: RegistrationRequest
        do throws(SIPResponseError) {
            let username = try instrumentOfDevice(
                authenticate(prepared, password: password, event: &event), source: input.source, event: &event)
            event.instrument = username.instrument
            if configuration.requireAORMatch, username.user != prepared.toUser {
                throw SIPResponseError(403, "Auth user does not match the To AOR", outcome: "register.forbidden")
            }
            try checkProvisioned(username, domain: prepared.domain)
            registration = try registrationRequest(input, aor: prepared.aor, username: username)
        } catch {
            return reply(input, rejection: error, event: &event)
        }
        event.instances = registration.contacts.contacts.compactMap(\.instance)
        let aor = prepared.aor
        let event0 = event
        serializer.run(aor) { [self] release in
            var event = event0
            let now = clock.now()
            let updates: [BindingUpdate]
            do throws(SIPResponseError) {
                updates = try RegistrationPlanner.plan(
                    registration, existing: location.contacts(aor: aor, now: now), policy: configuration.policy, now: now)
            } catch {
                release()
                completion(reply(input, rejection: error, event: &event))
                return
            }
            guard !updates.isEmpty else {
                release()
                completion(registered(input, registration: registration, event: event, now: now))
                return
            }
            let committedEvent = event
            writer.submit(updates, on: executor) { [self] outcome in
                release()
                var event = committedEvent
                switch outcome {
                case .success:
                    completion(registered(input, registration: registration, event: event, now: now))
                case .failure:
                    completion(reply(input, rejection: Self.storeUnavailable, event: &event))
                }
            }
        }
        return nil
    }

    /// The 200 once the bindings are stored (the writer applied them to ``location``).
    private func registered(
        _ input: Input, registration: RegistrationRequest, event: SIPRequestEvent, now: SIPTimestamp
    ) -> SIPResponse {
        var event = event
        let current = location.contacts(aor: registration.aor, now: now)
        if event.instrument == nil { event.instrument = current.first { $0.callID == registration.callID }?.instrument }
        event.outcome = "register.ok"
        let response = okResponse(input.request, bindings: current, registration: registration, now: now)
        record(event, status: response.statusCode, input: input)
        return response
    }

    /// Digest authentication (RFC 3261 §22.4, RFC 7616). Throws the 401/403 to send.
    private func authenticate(_ prepared: PreparedRegister, password: String?, event: inout SIPRequestEvent)
        throws(SIPResponseError) -> SIPAuthUsername
    {
        let request = prepared.input.request
        switch verifier.verify(
            method: request.method, requestURI: request.uri, credentials: prepared.credentials,
            realm: configuration.realm, password: password)
        {
        case .success(let verified):
            return verified
        case .stale:
            throw challenge(stale: true, outcome: "register.stale_nonce")
        case .failure(let reason):
            event.detail = reason.rawValue
            switch limiter.recordFailure(from: prepared.sourceAddress) {
            case .lockedOut, .alreadyLockedOut:
                throw SIPResponseError(
                    AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: "register.lockout")
            case .counted, .notCounted:
                break
            }
            throw challenge(stale: false, outcome: "register.auth_failed")
        }
    }

    /// The instrument of a phone that presented a device certificate on TLS (the transport
    /// verified it against `sip.tls.caBundle`): the MAC it names (``DeviceCertificateIdentity``)
    /// is the phone's, whatever the username says. A username naming another MAC is refused
    /// (403, `register.certificate_mismatch`): a line's password must not let another device
    /// register as this one. A username without a MAC gets the certificate's (`69` on the phone
    /// certified as 0000DEADBEEF registers as `69/0000DEADBEEF`). Without a certificate, or one
    /// that names no MAC, the username stands.
    private func instrumentOfDevice(_ username: SIPAuthUsername, source: SIPSource, event: inout SIPRequestEvent)
        throws(SIPResponseError) -> SIPAuthUsername
    {
        guard let certificate = source.peerCertificate,
            let certified = DeviceCertificateIdentity.instrument(
                subject: certificate.subject, subjectAlternativeNames: certificate.subjectAlternativeNames)
        else { return username }
        if let named = username.instrument {
            guard named == certified else {
                event.instrument = named
                event.detail = "certificate names \(certified.value)"
                throw SIPResponseError(
                    403, "Instrument does not match the device certificate", outcome: "register.certificate_mismatch")
            }
            return username
        }
        return SIPAuthUsername(username.user + "/" + certified.value)
    }

    /// `auth.instrumentPolicy: provisioned`: the auth username must name an instrument on which
    /// its user has a line appearance (`69/0000DEADBEEF` with line 69 provisioned on
    /// 0000DEADBEEF); a username without an instrument is refused too.
    private func checkProvisioned(_ username: SIPAuthUsername, domain: String) throws(SIPResponseError) {
        guard let provisionedLines else { return }
        guard let instrument = username.instrument else {
            throw SIPResponseError(403, "Register as user/MAC of a provisioned phone", outcome: "register.not_provisioned")
        }
        guard provisionedLines.isProvisioned(user: username.user, domain: domain, instrument: instrument) else {
            throw SIPResponseError(403, "Line not provisioned on this instrument", outcome: "register.not_provisioned")
        }
    }

    private func challenge(stale: Bool, outcome: String) -> SIPResponseError {
        let kind = configuration.challengeKind
        return SIPResponseError(
            kind.statusCode, kind == .wwwAuthenticate ? "Unauthorized" : "Proxy Authentication Required",
            headers: challenger.headerFields(kind: kind, stale: stale), outcome: outcome)
    }

    private func registrationRequest(_ input: Input, aor: String, username: SIPAuthUsername) throws(SIPResponseError)
        -> RegistrationRequest
    {
        let request = input.request
        let source = input.source
        let contacts: SIPContactList
        let expires: UInt32?
        let path: [String]
        do throws(SIPParseError) {
            if let parsed = input.contacts { contacts = parsed } else { contacts = try request.contacts() }
            expires = try request.expires
            path = try request.headers.values(.path).map(String.init)
        } catch { throw .badRequest(error.reason) }
        let supported = ((try? request.supported) ?? []) + ((try? request.require) ?? [])
        return RegistrationRequest(
            aor: aor, callID: input.essentials.callID, cseq: input.essentials.cseq.sequence,
            contacts: contacts, expiresHeader: expires,
            supportsOutbound: supported.contains { $0.lowercased() == "outbound" }, path: path,
            instrument: username.instrument, source: source.remote.sipHostPort,
            transport: source.transport.description, connectionID: source.connectionID?.rawValue,
            localListener: source.local.sipHostPort, userAgent: request.userAgent)
    }

    /// 200 OK (RFC 3261 §10.3 step 8): every current binding with its remaining expiry,
    /// Date, Path when the UA supports it (RFC 3327 §5.3), Require: outbound when a flow was
    /// registered (RFC 5626 §6).
    private func okResponse(
        _ request: SIPRequest, bindings: [Binding], registration: RegistrationRequest, now: SIPTimestamp
    ) -> SIPResponse {
        var response = SIPResponse(answering: request, statusCode: 200, toTag: SIPTag.random())
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
        response.headers.append(.date, HTTPDate.formatCached(now))
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
}
