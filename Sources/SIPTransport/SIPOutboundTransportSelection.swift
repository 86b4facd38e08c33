public import SIPCore

/// The RFC 3261 §18.1.1 rule for large requests.
///
/// A request that would go over UDP and is larger than
/// ``SIPTransportLimits/effectiveUDPThreshold`` (default 1300 bytes: "within 200 bytes of the
/// path MTU" of 1500, or "larger than 1300 bytes") is sent over TCP instead, to the same address
/// and port, with the transport of its top Via rewritten from UDP to TCP (only that Via value;
/// the branch and everything else stay). If the TCP connection cannot be opened (refused,
/// reset, timeout), the original request is sent over UDP as the RFC recommends.
/// Responses and small requests are never switched, nor requests sent to an explicit connection.
public enum SIPOutboundTransportSelection {
    /// True when the request must be tried over TCP first.
    public static func shouldSwitchToTCP(requestSize: Int, limits: SIPTransportLimits) -> Bool {
        requestSize > limits.effectiveUDPThreshold
    }

    /// `request` with its top Via's transport changed to `transport`, or nil when it has no
    /// parseable Via.
    public static func rewritingTopViaTransport(_ request: SIPRequest, to transport: SIPTransportProtocol) -> SIPRequest? {
        var request = request
        guard let index = request.headers.firstIndex(of: .via) else { return nil }
        let field = request.headers[index]
        let value = field.value
        let end = SIPViaProcessing.topValueEnd(value)
        guard var via = try? SIPVia(parsing: value[value.startIndex..<end]) else { return nil }
        via.transport = transport.rawValue
        request.headers.replace(at: index, with: SIPHeaderField(name: String(field.rawName), value: via.description + value[end...]))
        return request
    }
}
