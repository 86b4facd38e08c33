public import SIPAuth
public import SIPCore
public import SIPStorage

/// The `http-monitor` event package (RFC 5989) for phone configurations (RFC 6011 §2.5.1): a
/// phone subscribes to the URI of the `Link: <sips:~~cf~MAC@domain>;rel="monitor"` its
/// configuration came with, authenticated with the credentials of one of its lines (`69/MAC`
/// or `69`, RFC 6011 §2.5.1: "the SIP credentials from the configuration"), and is told in a
/// `message/http` NOTIFY whenever its configuration changes. One URI covers every file of the
/// phone (§2.5.1 allows it): a change to any of them notifies.
///
/// The body (§4.5.1) is the status line and headers a HEAD of the phone's configuration returns
/// now (``ConfigurationHead``, from the configuration service): `Content-Location`, `ETag`, `Last-Modified`, `Cache-Control`,
/// `Content-Type`, `Content-Length`; `404 Not Found` once the instrument is removed. No message
/// body, `body=true` or not (§4.5.1 lets the notifier refuse it: a configuration holds
/// passwords).
public struct HTTPMonitorPackage: EventPackage {
    public let name = "http-monitor"
    public let contentType = "message/http"
    /// RFC 5989 §4.4: no fixed default; configurations change rarely (a day, up to a week).
    public var expiry: SubscriptionExpiryPolicy
    /// The user-part prefix of monitor URIs (`~~cf~`).
    public let prefix: String
    let domains: Set<String>
    let provisioning: any ProvisioningStore
    let credentials: any CredentialStore
    let head: @Sendable (SIPInstrumentID) async -> ConfigurationHead?

    /// - Parameter head: the HEAD of an instrument's configuration now, nil when it has none.
    public init(
        domains: [String], prefix: String = "~~cf~", provisioning: any ProvisioningStore, credentials: any CredentialStore,
        expiry: SubscriptionExpiryPolicy = SubscriptionExpiryPolicy(minimum: 60, default: 86_400, maximum: 604_800),
        head: @escaping @Sendable (SIPInstrumentID) async -> ConfigurationHead?
    ) {
        self.domains = Set(domains.map { $0.lowercased() })
        self.prefix = prefix
        self.provisioning = provisioning
        self.credentials = credentials
        self.expiry = expiry
        self.head = head
    }

    /// `sip(s):~~cf~MAC@our-domain` → the canonical MAC.
    public func resource(for uri: SIPURI) -> String? {
        guard uri.scheme != .tel, domains.isEmpty || domains.contains(uri.normalizedHost), let user = uri.user,
            user.hasPrefix(prefix), let id = SIPInstrumentID(user.dropFirst(prefix.count)), id.isMAC
        else { return nil }
        return id.value
    }

    /// The password of a line of the watched phone: `USER/MAC` must name this MAC; `USER` must
    /// have a line on it.
    public func password(of username: SIPAuthUsername, watching resource: String) async -> String? {
        guard let id = SIPInstrumentID(resource), username.instrument == nil || username.instrument == id,
            let instrument = try? await provisioning.instrument(id),
            let line = instrument.lines.first(where: { $0.user == username.user })
        else { return nil }
        return try? await credentials.password(user: line.user, domain: line.domain)
    }

    public func state(of resource: String, wantsBody: Bool) async -> EventResourceState {
        guard let id = SIPInstrumentID(resource), let current = await head(id) else {
            return EventResourceState(body: Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8), summary: "404", exists: false)
        }
        return EventResourceState(body: current.messageHTTP, summary: current.entityTag)
    }
}

extension ConfigurationHead {
    /// The `message/http` body of RFC 5989 §4.5.1: `HTTP/1.1 200 OK` and the headers a HEAD
    /// returns, CRLF-terminated, ending with an empty line.
    public var messageHTTP: [UInt8] {
        Array(
            ("HTTP/1.1 200 OK\r\n" + "Content-Location: \(contentLocation)\r\n" + "ETag: \(entityTag)\r\n"
                + "Last-Modified: \(lastModified)\r\n" + "Cache-Control: \(cacheControl)\r\n"
                + "Content-Type: \(contentType)\r\n" + "Content-Length: \(contentLength)\r\n\r\n").utf8)
    }
}
