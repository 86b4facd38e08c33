/// Writes messages in wire form (RFC 3261 §7).
///
/// Fields that came from the wire unchanged are written byte for byte as received; fields built
/// or changed in code are written `Name: value`. Content-Length is written as found in the
/// headers (callers that change the body use ``SIPMessageProtocol/setBody(_:contentType:)``).
/// `serialized(forStream: true)` is what the stream transports write: a message without
/// Content-Length — a UDP peer may leave it out, the datagram delimits the body — gets one with
/// the body's size, last among the headers, because over a stream it is mandatory (RFC 3261
/// §18.3, §20.14). Whatever relays a message onto TCP/TLS (the proxy, a response routed back)
/// is covered there, once.
extension SIPRequest {
    /// The message in wire form.
    public func serialized() -> [UInt8] { serialized(forStream: false) }

    /// The message in wire form; for a stream, with Content-Length when it had none.
    public func serialized(forStream: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize)
        out.append(contentsOf: method.rawValue.utf8)
        out.append(Lexer.space)
        out.append(contentsOf: uri.description.utf8)
        out.append(contentsOf: " SIP/2.0\r\n".utf8)
        writeHeadersAndBody(into: &out, addingContentLength: forStream)
        return out
    }
}

extension SIPResponse {
    /// The message in wire form.
    public func serialized() -> [UInt8] { serialized(forStream: false) }

    /// The message in wire form; for a stream, with Content-Length when it had none.
    public func serialized(forStream: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize)
        out.append(contentsOf: "SIP/2.0 ".utf8)
        out.append(contentsOf: String(statusCode).utf8)
        out.append(Lexer.space)
        out.append(contentsOf: reasonPhrase.utf8)
        out.append(contentsOf: "\r\n".utf8)
        writeHeadersAndBody(into: &out, addingContentLength: forStream)
        return out
    }
}

extension SIPMessageProtocol {
    var estimatedSize: Int { 64 + body.count + headers.wireLength }

    func writeHeadersAndBody(into out: inout [UInt8], addingContentLength: Bool) {
        headers.write(into: &out)
        if addingContentLength, !headers.contains(.contentLength) {
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(body.count).utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(Lexer.cr)
        out.append(Lexer.lf)
        out.append(contentsOf: body)
    }

    /// Replaces the body and sets Content-Length (and Content-Type, when given).
    public mutating func setBody(_ body: [UInt8], contentType: String? = nil) {
        self.body = body
        if let contentType { headers.set(.contentType, contentType) }
        headers.set(.contentLength, String(body.count))
    }
}
