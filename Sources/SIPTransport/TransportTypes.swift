public import NIOCore
public import SIPCore

/// A SIP transport protocol (RFC 3261 §18). The raw value is the Via transport token.
public enum SIPTransportProtocol: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"

    /// True for the connection-oriented transports (TCP, TLS).
    public var isStream: Bool { self != .udp }
    /// True when messages are protected by TLS (needed for SIPS URIs, RFC 3261 §26.2.2).
    public var isSecure: Bool { self == .tls }
    /// The default port (RFC 3261 §19.1.2): 5060, or 5061 for TLS.
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }
    /// Lower-case name, as in `transport=` URI parameters and `--sip udp://…` URLs.
    public var description: String { rawValue.lowercased() }

    /// Parses a Via transport token or URI `transport` parameter, case-insensitively.
    public init?(token: some StringProtocol) {
        switch token.uppercased() {
        case "UDP": self = .udp
        case "TCP": self = .tcp
        case "TLS": self = .tls
        default: return nil
        }
    }
}

/// Identifies one TCP or TLS connection for the life of the process. Bindings record it so
/// that requests reach a phone behind NAT over the connection it registered on (RFC 5626 flows).
public struct SIPConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}

/// What a TLS peer presented (RFC 5922 §7.1 uses the SANs to identify a SIP domain; we keep
/// them for instrument identification by client certificate).
public struct SIPPeerCertificate: Sendable, Hashable {
    /// The subject distinguished name, as text.
    public var subject: String
    /// DNS names and URIs of the subjectAltName extension.
    public var subjectAlternativeNames: [String]
    /// SHA-256 fingerprint of the DER certificate, upper-case hex with colons.
    public var sha256Fingerprint: String

    public init(subject: String, subjectAlternativeNames: [String], sha256Fingerprint: String) {
        self.subject = subject
        self.subjectAlternativeNames = subjectAlternativeNames
        self.sha256Fingerprint = sha256Fingerprint
    }
}

/// Where a received message came from (RFC 3261 §18.2.1): the transport, the remote address,
/// the local listener it arrived on and, for TCP/TLS, the connection.
public struct SIPSource: Sendable, Hashable {
    public var transport: SIPTransportProtocol
    public var remote: SocketAddress
    public var local: SocketAddress
    /// The connection, for TCP and TLS; nil for UDP.
    public var connectionID: SIPConnectionID?
    /// The client certificate, for TLS connections that presented one.
    public var peerCertificate: SIPPeerCertificate?
    /// For a request over UDP: the address its responses go to (RFC 3261 §18.2.2, RFC 3581 §4),
    /// worked out once from the stamped top Via when the request arrived; nil when not known
    /// (the sender then works it out from the response's Via).
    public var responseAddress: SocketAddress?

    public init(
        transport: SIPTransportProtocol, remote: SocketAddress, local: SocketAddress,
        connectionID: SIPConnectionID? = nil, peerCertificate: SIPPeerCertificate? = nil,
        responseAddress: SocketAddress? = nil
    ) {
        self.transport = transport
        self.remote = remote
        self.local = local
        self.connectionID = connectionID
        self.peerCertificate = peerCertificate
        self.responseAddress = responseAddress
    }
}

/// A message as received, with its source. Via `received`/`rport` (RFC 3261 §18.2.1,
/// RFC 3581 §4) have already been added to the top Via of a request.
public struct SIPIncomingMessage: Sendable {
    public var message: SIPMessage
    public var source: SIPSource
    /// For a request, its top Via (stamped), From, To, Call-ID, CSeq and Max-Forwards, parsed
    /// once by the transport; nil when the deliverer did not parse them (the receiver then does).
    public var essentials: SIPRequestEssentials?
    /// The event loop that received the message (the channel's); work that must wait (a
    /// storage commit) resumes on it. Nil outside NIO (tests driving a receiver directly).
    public var eventLoop: (any EventLoop)?

    public init(
        message: SIPMessage, source: SIPSource, essentials: SIPRequestEssentials? = nil,
        eventLoop: (any EventLoop)? = nil
    ) {
        self.message = message
        self.source = source
        self.essentials = essentials
        self.eventLoop = eventLoop
    }
}

/// Where to send a message: a transport and an address, and optionally an existing connection
/// to prefer (RFC 5626 §5.3: a request to a registered flow goes over that flow).
public struct SIPDestination: Sendable, Hashable {
    public var transport: SIPTransportProtocol
    public var address: SocketAddress
    public var connectionID: SIPConnectionID?

    public init(transport: SIPTransportProtocol, address: SocketAddress, connectionID: SIPConnectionID? = nil) {
        self.transport = transport
        self.address = address
        self.connectionID = connectionID
    }
}

/// Sends SIP messages; implemented by the transport layer, faked in tests.
public protocol SIPMessageSender: Sendable {
    /// Sends a request (or a response to an explicit destination).
    func send(_ message: SIPMessage, to destination: SIPDestination) async throws
    /// Sends a response to a request that came from `source`, following RFC 3261 §18.2.2 and
    /// RFC 3581 §4: over the same connection for TCP/TLS, to the `received`/`rport` address of
    /// the top Via for UDP (or `maddr`).
    func sendResponse(_ response: SIPResponse, to source: SIPSource) async throws
}

/// Receives every message the transport accepted. Called on the channel's event loop: it must
/// not block, and should hand work off and return.
public protocol SIPMessageReceiver: Sendable {
    func receive(_ incoming: SIPIncomingMessage)
}
