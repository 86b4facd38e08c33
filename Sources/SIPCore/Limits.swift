/// Bounds on the work the parser does for one message.
///
/// Every limit is checked while parsing; breaking one is a typed ``SIPParseError``, never a crash
/// and never unbounded work. The defaults suit a registrar/proxy for desk phones (RFC 3261 §18.1.1
/// suggests messages larger than 1300 bytes go over a congestion-controlled transport; bodies here
/// are small XML or SDP documents).
public struct SIPParserLimits: Sendable, Hashable {
    /// Largest whole message (start line, headers, body) in bytes. Default 65,536 (64 KiB).
    public var maxMessageSize: Int
    /// Most header fields (lines) in one message. Default 256.
    public var maxHeaderCount: Int
    /// Longest single header field, folded lines included, in bytes. Default 8,192.
    public var maxHeaderLineLength: Int
    /// Longest URI (Request-URI or a URI inside a header) in bytes. Default 2,048.
    public var maxURILength: Int
    /// Deepest nesting of comments `( … )` and angle brackets, and most parameters on one
    /// header value or URI. Default 32.
    public var maxNesting: Int
    /// Most parameters on one URI or header value. Default 64.
    public var maxParameters: Int

    /// The documented defaults.
    public init(
        maxMessageSize: Int = 65_536,
        maxHeaderCount: Int = 256,
        maxHeaderLineLength: Int = 8_192,
        maxURILength: Int = 2_048,
        maxNesting: Int = 32,
        maxParameters: Int = 64
    ) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderLineLength = maxHeaderLineLength
        self.maxURILength = maxURILength
        self.maxNesting = maxNesting
        self.maxParameters = maxParameters
    }

    /// The defaults, as a value.
    public static let `default` = SIPParserLimits()
}
