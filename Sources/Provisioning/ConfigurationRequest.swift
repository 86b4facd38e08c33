public import SIPCore

/// One configuration request as the service sees it, taken from the HTTP request by the
/// listener (``ProvisioningServer``): independent of Hummingbird so the rules can be tested alone.
public struct ConfigurationRequest: Sendable, Hashable {
    /// Which listener it came in on.
    public enum Port: Sendable, Hashable {
        /// The password port: HTTP authentication.
        case password
        /// The device port: the TLS client certificate named this MAC (nil: it named none).
        case device(SIPInstrumentID?)
    }

    /// `GET` or `HEAD`.
    public var method: String
    /// The path, percent-decoded.
    public var path: String
    /// The query, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    /// The request-target as sent (path and query), for the digest `uri`.
    public var target: String
    public var authorization: String?
    public var conditions: ConditionalRequest
    /// The client's address, for rate limits and lockouts.
    public var source: String
    public var port: Port

    public init(
        method: String = "GET", path: String, query: [(name: String, value: String)] = [], target: String? = nil,
        authorization: String? = nil, conditions: ConditionalRequest = ConditionalRequest(), source: String,
        port: Port = .password
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.target = target ?? path
        self.authorization = authorization
        self.conditions = conditions
        self.source = source
        self.port = port
    }

    public static func == (lhs: ConfigurationRequest, rhs: ConfigurationRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.target == rhs.target
            && lhs.query.map { [$0.name, $0.value] } == rhs.query.map { [$0.name, $0.value] }
            && lhs.authorization == rhs.authorization && lhs.conditions == rhs.conditions && lhs.source == rhs.source
            && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(target)
        hasher.combine(source)
    }
}

/// The answer: status, header fields in order, body (empty for HEAD and 304).
public struct ConfigurationAnswer: Sendable, Hashable {
    public var status: Int
    public var headers: [HeaderField]
    public var body: [UInt8]

    public struct HeaderField: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, headers: [HeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of header `name`.
    public func headers(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}
