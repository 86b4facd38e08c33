public import SIPAuth
public import SIPCore
public import SIPStorage
public import SIPTransaction
import SIPTransport
import NIOCore

/// Authentication of requests from our users (RFC 3261 §22.3, §16.3 step 6 of RFC 3261's proxy
/// behaviour; draft-worley-instrument-identification §1): the same digest rules as REGISTER —
/// the auth username `user/INSTRUMENT` splits at the last `/`, A1 is over the full name, nonce
/// handling and lockout are the registrar's (``DigestVerifier``, ``DigestChallenger``,
/// ``AuthFailureLimiter``) — but the challenge is 407 with `Proxy-Authenticate` and the
/// credentials come in `Proxy-Authorization`.
///
/// In order: a method not in ``ProxyAuthPolicy/methods`` passes; a trusted peer passes (and is
/// marked, so it may relay); an in-dialog request of a dialog we record-routed passes (its
/// dialog was authenticated when it was set up); a request whose From is not one of our domains
/// passes (it is not from our users; relaying rules still apply later); a locked-out source
/// gets 403; no credentials → 407; wrong or unknown → 407 (counted for lockout); stale nonce →
/// 407 `stale=true`; an auth user that is not the From user → 403. On success the verified
/// credentials are removed from the forwarded request and the user is kept in the context.
public struct ProxyAuthProcessor: SIPRequestProcessor {
    let policy: ProxyAuthPolicy
    let identity: SIPLocalIdentity
    let credentials: any CredentialStore
    let challenger: DigestChallenger
    let verifier: DigestVerifier
    let limiter: AuthFailureLimiter

    public init(
        policy: ProxyAuthPolicy, identity: SIPLocalIdentity, credentials: any CredentialStore,
        challenger: DigestChallenger, verifier: DigestVerifier, limiter: AuthFailureLimiter
    ) {
        self.policy = policy
        self.identity = identity
        self.credentials = credentials
        self.challenger = challenger
        self.verifier = verifier
        self.limiter = limiter
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        let request = context.request
        if let address = context.source.remote.sipIPAddress, policy.trustedPeers.contains(address) {
            context[ProxyContext.TrustedSource.self] = true
            return .continue
        }
        guard policy.methods.contains(request.method) else { return .continue }
        if context[ProxyContext.Routing.self]?.hadOurRoute == true, context.essentials.to.tag != nil { return .continue }
        let from = context.essentials.from.uri
        guard identity.isOurDomain(from) else { return .continue }
        let sourceAddress = context.source.remote.sipIPAddress ?? "unknown"
        if limiter.isLockedOut(sourceAddress) {
            throw SIPResponseError(AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: outcome(request, "lockout"))
        }
        let offered: [SIPAuthHeader]
        do { offered = try request.proxyAuthorizations() } catch { throw .badRequest(error.reason) }
        guard let credentials = DigestVerifier.credentials(in: offered, realm: policy.realm),
            let username = credentials.digestUsername
        else {
            throw challenge(request, stale: false, outcome: "challenge")
        }
        context.event.authUser = username.full
        let domain = from.normalizedHost
        switch self.credentials.cachedPassword(user: username.user, domain: domain) {
        case .password(let password):
            try verified(&context, credentials: credentials, password: password, source: sourceAddress)
            return .continue
        case .unknownUser:
            try verified(&context, credentials: credentials, password: nil, source: sourceAddress)
            return .continue
        case .notCached:
            lookUp(context, credentials: credentials, username: username, domain: domain, source: sourceAddress)
            return .takeOver
        }
    }

    /// A store without a credential cache: the password is fetched in a task and the chain
    /// resumes on the request's event loop.
    private func lookUp(
        _ context: SIPRequestContext, credentials: SIPAuthHeader, username: SIPAuthUsername, domain: String,
        source: String
    ) {
        let store = self.credentials
        let loop = context.eventLoop
        Task {
            let looked: String??
            do throws(StorageError) { looked = .some(try await store.password(user: username.user, domain: domain)) } catch {
                looked = nil
            }
            let resume: @Sendable () -> Void = {
                var context = context
                guard let password = looked else {
                    context.respond(
                        SIPResponseError(
                            503, "Service Unavailable", headers: [SIPHeaderField(.retryAfter, "5")],
                            outcome: outcome(context.request, "store_unavailable")))
                    return
                }
                do throws(SIPResponseError) {
                    try verified(&context, credentials: credentials, password: password, source: source)
                } catch {
                    context.respond(error)
                    return
                }
                context.resumeChain()
            }
            if let loop { loop.execute(resume) } else { resume() }
        }
    }

    private func verified(
        _ context: inout SIPRequestContext, credentials: SIPAuthHeader, password: String?, source: String
    ) throws(SIPResponseError) {
        let request = context.request
        switch verifier.verify(
            method: request.method, requestURI: request.uri, credentials: credentials, realm: policy.realm,
            password: password)
        {
        case .success(let username):
            if policy.requireFromMatch, context.essentials.from.uri.unescapedUser != username.user {
                throw SIPResponseError(403, "Auth user does not match From", outcome: outcome(request, "forbidden"))
            }
            context.event.instrument = username.instrument
            context[ProxyContext.AuthenticatedUser.self] = username
            var forwarded = context.proxyRequest
            for index in forwarded.headers.indices.reversed() where forwarded.headers[index].name == .proxyAuthorization {
                if (try? SIPAuthHeader(parsing: forwarded.headers[index].value))?.realm == policy.realm {
                    _ = forwarded.headers.remove(at: index)
                }
            }
            context.proxyRequest = forwarded
        case .stale:
            throw challenge(request, stale: true, outcome: "stale_nonce")
        case .failure(let reason):
            context.event.detail = reason.rawValue
            switch limiter.recordFailure(from: source) {
            case .lockedOut, .alreadyLockedOut:
                throw SIPResponseError(
                    AuthFailureLimiter.statusCode, AuthFailureLimiter.reasonPhrase, outcome: outcome(request, "lockout"))
            case .counted, .notCounted:
                throw challenge(request, stale: false, outcome: "auth_failed")
            }
        }
    }

    private func challenge(_ request: SIPRequest, stale: Bool, outcome name: String) -> SIPResponseError {
        SIPResponseError(
            407, "Proxy Authentication Required",
            headers: challenger.headerFields(kind: .proxyAuthenticate, realm: policy.realm, stale: stale),
            outcome: outcome(request, name))
    }

    private func outcome(_ request: SIPRequest, _ name: String) -> String {
        request.method.rawValue.lowercased() + "." + name
    }
}
