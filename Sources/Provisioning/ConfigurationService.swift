public import Logging
public import SIPCore
public import SIPStorage
import Metrics
import Synchronization

/// The configuration service of RFC 6011: answers a phone's GET for its configuration, in the
/// RFC 6011 form (`?sfua-id=urn:uuid:…`, §2.3.2) or by a vendor's file name
/// (``ConfigurationFileName``), legacy and current side by side.
///
/// For each request, in order:
/// 1. per-source rate limit (``SourceRateLimiter``) → 429 + `Retry-After`;
/// 2. which file: `sfua-*` query (an unusable `sfua-id` → 404), else the file name (unknown → 404);
///    a vendor's common file is served to anyone (it holds no secret);
/// 3. who may have it: on the device port, the MAC of the client certificate must be the
///    requested one (else 404, the answer of an unknown MAC); on the password port, HTTP
///    authentication as one of the phone's lines (``ProvisioningAuthenticator``: 401 for any
///    failure, unknown MACs included; 429 when locked out);
/// 4. the phone's vendor must request that name (else 404); the file is rendered from the
///    vendor's template (``ConfigurationTemplates``, ``ConfigurationContext``);
/// 5. metadata (§2.4, §2.5): strong `ETag` of the bytes (``EntityTag``), `Last-Modified`
///    (``RepresentationTimes``), `Cache-Control: private, max-age=N`, and `Link:
///    <sips:~~cf~MAC@domain>;rel="monitor"` when monitoring is on (RFC 5989 §3: SIPS because the
///    resource is served over TLS, §6); a conditional GET whose copy is current → 304 with the
///    same metadata (RFC 9110 §15.4.5).
///
/// Every answer is logged once (`provisioning.ok`, `provisioning.not_modified`,
/// `provisioning.challenge`, `provisioning.auth_failed`, `provisioning.not_found`,
/// `provisioning.rate_limited`, `provisioning.locked_out`) with the MAC, file and source; never
/// a password.
public final class ConfigurationService: Sendable {
    public let configuration: ProvisioningConfiguration
    private let templateLibrary: Mutex<ConfigurationTemplates>
    /// The templates in use (replaced whole by ``replaceTemplates(_:)``, e.g. on SIGHUP).
    var templates: ConfigurationTemplates { templateLibrary.withLock { $0 } }
    let provisioning: any ProvisioningStore
    let credentials: any CredentialStore
    let authenticator: ProvisioningAuthenticator
    let rateLimiter: SourceRateLimiter
    let times = RepresentationTimes()
    let clock: any SIPClock
    let logger: Logger

    /// The user-part prefix of the http-monitor subscription URI (`sips:~~cf~MAC@domain`), in the
    /// reserved `~~` namespace (draft-worley-instrument-identification; sipXecs's `~~xx~`).
    public static let monitorPrefix = "~~cf~"

    public init(
        configuration: ProvisioningConfiguration, templates: ConfigurationTemplates, provisioning: any ProvisioningStore,
        credentials: any CredentialStore, authenticator: ProvisioningAuthenticator, clock: any SIPClock = SystemClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.templateLibrary = Mutex(templates)
        self.provisioning = provisioning
        self.credentials = credentials
        self.authenticator = authenticator
        self.rateLimiter = SourceRateLimiter(configuration: configuration.rateLimit, clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// Serves `templates` from the next request on (a reload: requests under way finish with the
    /// old ones).
    public func replaceTemplates(_ templates: ConfigurationTemplates) {
        templateLibrary.withLock { $0 = templates }
    }

    /// The answer to one request.
    public func respond(to request: ConfigurationRequest) async -> ConfigurationAnswer {
        var log = Logger.Metadata()
        log["http.source"] = "\(request.source)"
        log["http.path"] = "\(request.path.prefix(200))"
        let answer = await answer(request, log: &log)
        log["http.status"] = "\(answer.status)"
        let outcome = log["event"].map { "\($0)" } ?? "provisioning.ok"
        let level: Logger.Level = ["provisioning.auth_failed", "provisioning.locked_out", "provisioning.rate_limited"].contains(outcome) ? .notice : .info
        logger.log(level: level, "\(outcome)", metadata: log)
        ProvisioningMetrics.fetched(vendor: log["provisioning.vendor"].map { "\($0)" } ?? "none", status: answer.status)
        return answer
    }

    private func answer(_ request: ConfigurationRequest, log: inout Logger.Metadata) async -> ConfigurationAnswer {
        if case .limited(let seconds) = rateLimiter.admit(request.source) {
            log["event"] = "provisioning.rate_limited"
            return Self.plain(429, "too many requests", headers: [.init("Retry-After", "\(seconds)")])
        }
        // Which file.
        let requested: SIPInstrumentID
        let fileName: ConfigurationFileName?
        var sfuaUser: String?
        do throws(SFUARequest.Failure) {
            let sfua = try SFUARequest(query: request.query)
            requested = sfua.instrument
            sfuaUser = sfua.user
            fileName = nil
        } catch .unusableID {
            return notFound(&log)
        } catch {
            guard let name = ConfigurationFileName(path: request.path) else { return notFound(&log) }
            switch name {
            case .common(let vendor, let template):
                log["provisioning.template"] = "\(template)"
                log["provisioning.vendor"] = "\(vendor.rawValue)"
                return represent(
                    templates.render(template, context: ConfigurationContext(service: configuration.sip, resyncSeconds: configuration.maxAgeSeconds)),
                    resource: "common/" + template, template: template, instrument: nil, request: request, log: &log)
            case .instrument(let id, _):
                requested = id
                fileName = name
            }
        }
        log["sip.instrument"] = "\(requested)"

        // Who may have it.
        let instrument: ProvisionedInstrument?
        do { instrument = try await provisioning.instrument(requested) } catch {
            log["event"] = "provisioning.store_unavailable"
            return Self.plain(503, "try again later", headers: [.init("Retry-After", "5")])
        }
        switch request.port {
        case .device(let certified):
            guard certified == requested, instrument != nil else { return notFound(&log) }
            log["provisioning.auth"] = "certificate"
        case .password:
            let outcome = await authenticator.authorize(
                authorization: request.authorization, method: request.method, target: request.target, requested: requested,
                instrument: instrument, sfuaUser: sfuaUser, source: request.source)
            switch outcome {
            case .authorized(let line):
                log["provisioning.auth"] = "\(line.authUsername(on: requested))"
            case .challenge(let stale, let failed):
                log["event"] = failed ? "provisioning.auth_failed" : "provisioning.challenge"
                return Self.plain(401, "authentication required", headers: authenticator.challenges(stale: stale).map { .init("WWW-Authenticate", $0) })
            case .lockedOut(let seconds):
                log["event"] = "provisioning.locked_out"
                return Self.plain(429, "too many failed authentications", headers: [.init("Retry-After", "\(seconds)")])
            }
        }
        guard let instrument, let vendor = PhoneVendor(rawValue: instrument.vendor) else { return notFound(&log) }
        log["provisioning.vendor"] = "\(vendor.rawValue)"
        let template = fileName?.template(for: vendor) ?? (fileName == nil ? vendor.configurationTemplate : nil)
        guard let template else { return notFound(&log) }
        log["provisioning.template"] = "\(template)"

        return represent(
            await render(instrument, template: template), resource: requested.value + "/" + template, template: template,
            instrument: requested, request: request, log: &log)
    }

    /// The phone's file rendered from `template`, with its lines' passwords.
    private func render(_ instrument: ProvisionedInstrument, template: String) async -> [UInt8] {
        var passwords: [Int: String] = [:]
        for line in instrument.lines {
            if let password = try? await credentials.password(user: line.user, domain: line.domain) {
                passwords[line.index] = password
            } else {
                logger.warning(
                    "line without a password: its user does not exist",
                    metadata: ["sip.instrument": "\(instrument.id)", "sip.user": "\(line.user)", "sip.domain": "\(line.domain)"])
            }
        }
        let context = ConfigurationContext(
            instrument: instrument, passwords: passwords, service: configuration.sip, resyncSeconds: configuration.maxAgeSeconds)
        return templates.render(template, context: context)
    }

    /// What a HEAD of the phone's configuration (the vendor's file, or the RFC 6011 form) returns
    /// now, without authentication: the same `ETag` and `Last-Modified` a GET gets (RFC 5989
    /// §4.5.1, the body of http-monitor NOTIFYs). nil when the instrument is not provisioned.
    public func head(of id: SIPInstrumentID) async -> ConfigurationHead? {
        guard let instrument = try? await provisioning.instrument(id), let vendor = PhoneVendor(rawValue: instrument.vendor)
        else { return nil }
        let template = vendor.configurationTemplate
        let body = await render(instrument, template: template)
        let tag = EntityTag(of: body)
        let lastModified = times.lastModified(of: id.value + "/" + template, tag: tag, now: clock.now())
        return ConfigurationHead(
            contentLocation: configuration.baseURL + "/" + vendor.configurationFileName(id), entityTag: tag.description,
            lastModified: lastModified.httpDate, cacheControl: "private, max-age=\(configuration.maxAgeSeconds)",
            contentType: templates.contentType(of: template), contentLength: body.count)
    }

    /// 200 (or 304) with the cache metadata of RFC 6011 §2.4 / §2.5.
    private func represent(
        _ body: [UInt8], resource: String, template: String, instrument: SIPInstrumentID?, request: ConfigurationRequest,
        log: inout Logger.Metadata
    ) -> ConfigurationAnswer {
        let tag = EntityTag(of: body)
        let lastModified = times.lastModified(of: resource, tag: tag, now: clock.now())
        var headers: [ConfigurationAnswer.HeaderField] = [
            .init("ETag", tag.description), .init("Last-Modified", lastModified.httpDate),
            .init("Cache-Control", "private, max-age=\(configuration.maxAgeSeconds)"),
        ]
        if let instrument, let domain = configuration.monitorDomain {
            headers.append(.init("Link", "<sips:\(Self.monitorPrefix)\(instrument.value)@\(domain)>;rel=\"monitor\""))
        }
        if request.conditions.isNotModified(entityTag: tag, lastModified: lastModified) {
            log["event"] = "provisioning.not_modified"
            return ConfigurationAnswer(status: 304, headers: headers)
        }
        log["event"] = "provisioning.ok"
        headers.append(.init("Content-Type", templates.contentType(of: template)))
        return ConfigurationAnswer(status: 200, headers: headers, body: request.method == "HEAD" ? [] : body)
    }

    private func notFound(_ log: inout Logger.Metadata) -> ConfigurationAnswer {
        log["event"] = "provisioning.not_found"
        return Self.plain(404, "not found")
    }

    static func plain(_ status: Int, _ text: String, headers: [ConfigurationAnswer.HeaderField] = []) -> ConfigurationAnswer {
        ConfigurationAnswer(
            status: status, headers: headers + [.init("Content-Type", "text/plain; charset=utf-8")], body: Array((text + "\n").utf8))
    }
}
