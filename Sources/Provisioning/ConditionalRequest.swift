public import SIPCore

/// Conditional GET (RFC 9110 §13.1.2, §13.1.3, §13.2.2): whether a GET or HEAD is answered
/// 304 Not Modified. `If-None-Match` decides when present (weak comparison, `*` matches any
/// current representation) and `If-Modified-Since` is then ignored; otherwise
/// `If-Modified-Since` is true when the representation was not modified after that date (an
/// invalid date is ignored). Dates compare in whole seconds, the resolution of HTTP dates.
public struct ConditionalRequest: Sendable, Hashable {
    public var ifNoneMatch: String?
    public var ifModifiedSince: String?

    public init(ifNoneMatch: String? = nil, ifModifiedSince: String? = nil) {
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
    }

    /// True when the client's copy, described by these headers, is current.
    public func isNotModified(entityTag: EntityTag, lastModified: SIPTimestamp) -> Bool {
        if let ifNoneMatch { return entityTag.matches(ifNoneMatch: ifNoneMatch) }
        if let ifModifiedSince, let since = SIPTimestamp(httpDate: ifModifiedSince) {
            return lastModified.millisecondsSince1970 / 1000 <= since.millisecondsSince1970 / 1000
        }
        return false
    }
}
