/// The metadata of a phone's configuration as a HEAD returns it (RFC 9110 §9.3.2): computed by
/// the configuration service (Provisioning), carried by http-monitor NOTIFYs (SIPEvents,
/// RFC 5989 §4.5.1).
public struct ConfigurationHead: Sendable, Hashable {
    /// The URL of the file (`https://config.example.net:8443/0000deadbeef.cfg`).
    public var contentLocation: String
    /// The strong entity tag, quoted.
    public var entityTag: String
    public var lastModified: String
    public var cacheControl: String
    public var contentType: String
    public var contentLength: Int

    public init(
        contentLocation: String, entityTag: String, lastModified: String, cacheControl: String, contentType: String,
        contentLength: Int
    ) {
        self.contentLocation = contentLocation
        self.entityTag = entityTag
        self.lastModified = lastModified
        self.cacheControl = cacheControl
        self.contentType = contentType
        self.contentLength = contentLength
    }
}
