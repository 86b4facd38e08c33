/// Writes messages in wire form (RFC 3261 §7).
///
/// Fields that came from the wire unchanged are written byte for byte as received; fields built
/// or changed in code are written `Name: value`. Content-Length is written as found in the
/// headers: callers that change the body use ``SIPMessageProtocol/setBody(_:contentType:)``.
extension SIPRequest {
    /// The message in wire form.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize)
        out.append(contentsOf: method.rawValue.utf8)
        out.append(Lexer.space)
        out.append(contentsOf: uri.description.utf8)
        out.append(contentsOf: " SIP/2.0\r\n".utf8)
        writeHeadersAndBody(into: &out)
        return out
    }
}

extension SIPResponse {
    /// The message in wire form.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize)
        out.append(contentsOf: "SIP/2.0 ".utf8)
        out.append(contentsOf: String(statusCode).utf8)
        out.append(Lexer.space)
        out.append(contentsOf: reasonPhrase.utf8)
        out.append(contentsOf: "\r\n".utf8)
        writeHeadersAndBody(into: &out)
        return out
    }
}

extension SIPMessageProtocol {
    var estimatedSize: Int { 64 + body.count + headers.wireLength }

    func writeHeadersAndBody(into out: inout [UInt8]) {
        headers.write(into: &out)
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

    /// Adds `Content-Length` with the body's size when the message has none. A message that
    /// came over UDP may lack it (the datagram delimits it); one that goes out over a stream
    /// transport must carry it (RFC 3261 §18.3, §20.14), so a proxy forwarding between the
    /// two adds it.
    public mutating func ensureContentLength() {
        if !headers.contains(.contentLength) { headers.append(.contentLength, String(body.count)) }
    }
}
