public import NIOCore
public import SIPAuth
public import SIPCore
public import SIPTransport

/// Where a test request comes from: `host:port` over `transport`, received on the listener
/// `192.0.2.1` (port 5061 for TLS, else 5060) (RFC 3261 §18.2.1).
public func makeSource(
    host: String = "192.0.2.10", port: Int = 5060, transport: SIPTransportProtocol = .udp,
    connectionID: UInt64? = nil
) throws -> SIPSource {
    SIPSource(
        transport: transport, remote: try SocketAddress(ipAddress: host, port: port),
        local: try SocketAddress(ipAddress: "192.0.2.1", port: transport == .tls ? 5061 : 5060),
        connectionID: connectionID.map(SIPConnectionID.init(rawValue:)))
}

/// A phone on the wire: builds REGISTERs as text (``SIPTestRequest``), parses them, and answers
/// digest challenges the way a SIP client does (RFC 7616 §3.4 with `DigestClient`: qop=auth, a
/// cnonce, an increasing nonce count; a `stale=true` challenge answered once more).
///
/// It does not know who answers: ``register(contacts:expires:headers:to:requestURI:through:)``
/// takes the function that delivers a request and returns the final response (a registrar
/// called directly, or a socket).
public struct SIPTestPhone: Sendable {
    /// The To/From user (the line, i.e. the AOR's user).
    public var user: String
    /// The digest username, `user/INSTRUMENT` for a line appearance.
    public var authUser: String
    public var password: String
    public var domain: String
    public var requestURI: String
    public var callID: String
    public var cseq: UInt32 = 0
    public var source: SIPSource
    /// Which offered algorithm to answer; nil answers the first challenge (as SIPp does).
    public var algorithm: DigestAlgorithm?
    /// The challenge being answered and the last nonce count used with it.
    public var challenge: SIPAuthHeader?
    public var nonceCount = 0
    public var cnonce = "0a4f113b"

    /// - Parameters:
    ///   - authUser: default `USER/0000DEADBEEF`.
    ///   - password: default `secret-USER`.
    ///   - callID: default a random `reg-USER-N@HOST`.
    public init(
        user: String = "69", authUser: String? = nil, password: String? = nil, domain: String = "example.net",
        host: String = "192.0.2.10", port: Int = 5060, transport: SIPTransportProtocol = .udp,
        connectionID: UInt64? = nil, callID: String? = nil
    ) throws {
        self.user = user
        self.authUser = authUser ?? "\(user)/0000DEADBEEF"
        self.password = password ?? "secret-\(user)"
        self.domain = domain
        self.requestURI = "sip:\(domain)"
        self.callID = callID ?? "reg-\(user)-\(UInt32.random(in: 0...UInt32.max))@\(host)"
        self.source = try makeSource(host: host, port: port, transport: transport, connectionID: connectionID)
    }

    private var host: String { source.remote.ipAddress ?? "192.0.2.10" }
    private var port: Int { source.remote.port ?? 5060 }

    /// The contact this phone registers by default.
    public var defaultContact: String { "<sip:\(user)@\(host):\(port)>" }

    /// A REGISTER as it would arrive on the wire, parsed. `contacts: nil` sends the default
    /// contact; `[]` sends none (a query).
    public func request(
        cseq: UInt32, contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [],
        to: String? = nil, requestURI: String? = nil, authorization: String? = nil
    ) throws -> SIPRequest {
        try SIPTestRequest.register(
            user: user, domain: domain, uri: requestURI ?? self.requestURI,
            via: SIPTestRequest.via(
                source.transport.rawValue, sentBy: "\(host):\(port)", branch: "z9hG4bK-\(user)-\(cseq)"),
            callID: callID, cseq: cseq, to: to, contacts: contacts ?? [defaultContact], expires: expires,
            headers: ["User-Agent: TestPhone/1.0"] + headers, authorization: authorization
        ).parsed()
    }

    /// The Authorization value answering `challenge` (RFC 7616 §3.4), computed as a client does.
    public func authorization(
        _ challenge: SIPAuthHeader, nonceCount: Int, username: String? = nil, password: String? = nil,
        requestURI: String? = nil, algorithm: DigestAlgorithm? = nil
    ) -> String {
        DigestClient.credentials(
            answering: challenge, username: username ?? authUser, password: password ?? self.password,
            method: "REGISTER", digestURI: requestURI ?? self.requestURI, nonceCount: UInt32(nonceCount),
            cnonce: cnonce, algorithm: algorithm
        ).description
    }

    /// Picks the challenge this phone answers from a 401: the one for ``algorithm``, else the
    /// first.
    public func pickChallenge(_ response: SIPResponse) throws -> SIPAuthHeader {
        let offered = try response.wwwAuthenticates()
        let picked =
            if let algorithm {
                offered.first { $0.algorithm.flatMap(DigestAlgorithm.init(token:)) == algorithm }
            } else {
                offered.first
            }
        guard let picked else { throw SIPTestSupportError("the 401 offers no challenge to answer: \(offered)") }
        return picked
    }

    /// Registers like a phone: answers a 401 once (and a `stale=true` 401 once more), reusing a
    /// known nonce with the next nonce count. Returns the final response.
    ///
    /// - Parameter deliver: hands a request to the registrar and returns its answer.
    public mutating func register(
        contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [], to: String? = nil,
        requestURI: String? = nil, through deliver: (SIPRequest) async throws -> SIPResponse
    ) async throws -> SIPResponse {
        var response: SIPResponse
        if let challenge {
            response = try await send(
                contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI,
                answering: challenge, through: deliver)
        } else {
            cseq += 1
            response = try await deliver(
                try request(
                    cseq: cseq, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI))
        }
        var rounds = 0
        while response.statusCode == 401, rounds < 2 {
            rounds += 1
            let fresh = try pickChallenge(response)
            challenge = fresh
            nonceCount = 0
            response = try await send(
                contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI,
                answering: fresh, through: deliver)
        }
        return response
    }

    /// Sends one REGISTER answering `challenge` with the next nonce count.
    public mutating func send(
        contacts: [String]? = nil, expires: UInt32? = nil, headers: [String] = [], to: String? = nil,
        requestURI: String? = nil, answering challenge: SIPAuthHeader,
        through deliver: (SIPRequest) async throws -> SIPResponse
    ) async throws -> SIPResponse {
        cseq += 1
        nonceCount += 1
        let auth = authorization(challenge, nonceCount: nonceCount, requestURI: requestURI)
        let request = try request(
            cseq: cseq, contacts: contacts, expires: expires, headers: headers, to: to, requestURI: requestURI,
            authorization: auth)
        return try await deliver(request)
    }
}

/// A test helper could not do what it was asked (no challenge to answer, a reply that is not
/// SIP, a wait that timed out).
public struct SIPTestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
