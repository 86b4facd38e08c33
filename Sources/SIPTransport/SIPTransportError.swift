/// The one error type of the transport layer (RFC 3261 §18): configuration, binding, TLS and
/// sending failures. Switch on ``code`` with a `default`; new codes may be added.
///
/// `description` is short and safe to log; it never contains key material.
public struct SIPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case invalidListenerURL = "invalid_listener_url"
            case invalidConfiguration = "invalid_configuration"
            case tlsSetup = "tls_setup"
            case bindFailed = "bind_failed"
            case notRunning = "not_running"
            case noListener = "no_listener"
            case connectionLimit = "connection_limit"
            case connectFailed = "connect_failed"
            case bufferLimit = "buffer_limit"
            case unroutable = "unroutable"
        }
        let base: Base
        /// A listener URL such as `udp://0.0.0.0:5060` could not be parsed.
        public static let invalidListenerURL = Code(base: .invalidListenerURL)
        /// The configuration is inconsistent (e.g. a TLS listener without TLS settings).
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// Certificate, key or CA bundle could not be loaded or created.
        public static let tlsSetup = Code(base: .tlsSetup)
        /// A listener could not be bound.
        public static let bindFailed = Code(base: .bindFailed)
        /// The service is not running (not started yet, or shut down).
        public static let notRunning = Code(base: .notRunning)
        /// No listener of the needed transport and address family exists to send from.
        public static let noListener = Code(base: .noListener)
        /// The connection table is full (``SIPTransportLimits/maxConnections``).
        public static let connectionLimit = Code(base: .connectionLimit)
        /// An outbound TCP/TLS connection could not be opened.
        public static let connectFailed = Code(base: .connectFailed)
        /// The connection has more unsent bytes than ``SIPTransportLimits/maxBufferedBytesPerConnection``.
        public static let bufferLimit = Code(base: .bufferLimit)
        /// No address could be worked out for a response (RFC 3261 §18.2.2).
        public static let unroutable = Code(base: .unroutable)
        /// Low-cardinality name, usable as a metric label.
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Human-readable detail.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
