/// What requests and responses have in common (RFC 3261 §7): header fields and a body.
///
/// Typed header accessors (`via`, `cseq`, `contacts`, …) are defined on this protocol and
/// parse on demand; see `Message+Accessors.swift`.
public protocol SIPMessageProtocol: Sendable {
    var headers: SIPHeaders { get set }
    var body: [UInt8] { get set }
}

/// A SIP request (RFC 3261 §7.1): method, Request-URI, headers, body.
public struct SIPRequest: SIPMessageProtocol, Hashable, CustomStringConvertible {
    public var method: SIPMethod
    public var uri: SIPURI
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(method: SIPMethod, uri: SIPURI, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    public var description: String { String(decoding: serialized(), as: UTF8.self) }

    /// Requests are equal when method, URI (structurally, as written), headers and body are.
    public static func == (lhs: SIPRequest, rhs: SIPRequest) -> Bool {
        lhs.method == rhs.method && lhs.uri.description == rhs.uri.description && lhs.headers == rhs.headers
            && lhs.body == rhs.body
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(uri)
        hasher.combine(headers)
        hasher.combine(body)
    }
}

/// A SIP response (RFC 3261 §7.2): status code, reason phrase, headers, body.
public struct SIPResponse: SIPMessageProtocol, Hashable, CustomStringConvertible {
    public var statusCode: Int
    public var reasonPhrase: String
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(statusCode: Int, reasonPhrase: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? SIPResponse.defaultReasonPhrase(statusCode)
        self.headers = headers
        self.body = body
    }

    /// 1xx.
    public var isProvisional: Bool { statusCode < 200 }
    /// 2xx.
    public var isSuccess: Bool { statusCode >= 200 && statusCode < 300 }
    /// 200–699.
    public var isFinal: Bool { statusCode >= 200 }

    public var description: String { String(decoding: serialized(), as: UTF8.self) }
}

/// A request or a response.
public enum SIPMessage: Sendable, Hashable, CustomStringConvertible {
    case request(SIPRequest)
    case response(SIPResponse)

    public var headers: SIPHeaders {
        switch self {
        case .request(let r): r.headers
        case .response(let r): r.headers
        }
    }

    public var body: [UInt8] {
        switch self {
        case .request(let r): r.body
        case .response(let r): r.body
        }
    }

    public var request: SIPRequest? {
        if case .request(let r) = self { return r }
        return nil
    }

    public var response: SIPResponse? {
        if case .response(let r) = self { return r }
        return nil
    }

    public var description: String {
        switch self {
        case .request(let r): r.description
        case .response(let r): r.description
        }
    }

    /// The wire form.
    public func serialized() -> [UInt8] { serialized(forStream: false) }

    /// The wire form; for a stream, with Content-Length when it had none (RFC 3261 §18.3).
    public func serialized(forStream: Bool) -> [UInt8] {
        switch self {
        case .request(let r): r.serialized(forStream: forStream)
        case .response(let r): r.serialized(forStream: forStream)
        }
    }
}
