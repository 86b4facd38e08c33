public import NIOCore
public import SIPCore

/// Server-side Via processing of a received request (RFC 3261 §18.2.1, RFC 3581 §4).
///
/// - When the sent-by host of the top Via differs from the packet's source IP, `received=<IP>`
///   is added.
/// - When the top Via has `rport` without a value, `rport=<source port>` is set and `received`
///   is added even if it equals sent-by (RFC 3581 §4).
///
/// Only the first value of the first Via line is rewritten (``SIPHeaders/replace(at:with:)``);
/// every other header line stays byte for byte as received.
public enum SIPViaProcessing {
    /// The result of ``stampReceived(_:remote:)``.
    public enum Outcome: Sendable, Hashable {
        /// The top Via already matched the source; nothing changed.
        case unchanged
        /// `received` and/or `rport` were added.
        case stamped
        /// There is no Via, or the top Via cannot be parsed.
        case invalidVia(SIPParseError)
    }

    /// Adds `received`/`rport` to the top Via of `headers` for a request that came from `remote`.
    @discardableResult
    public static func stampReceived(_ headers: inout SIPHeaders, remote: SocketAddress) -> Outcome {
        guard let index = headers.firstIndex(of: .via) else {
            return .invalidVia(SIPParseError(.missingHeader, "missing Via"))
        }
        let value = headers[index].value
        let via: SIPVia
        do { via = try SIPVia(parsing: value[value.startIndex..<topValueEnd(value)]) } catch { return .invalidVia(error) }
        guard let stamped = stamped(via, remote: remote) else { return .unchanged }
        replaceTopValue(of: &headers, at: index, with: stamped)
        return .stamped
    }

    /// Adds `received`/`rport` to a top Via that was already parsed (``SIPRequestEssentials``):
    /// updates `essentials.topVia` and rewrites only that value of its header line. Returns
    /// true when something was added.
    @discardableResult
    public static func stamp(
        _ essentials: inout SIPRequestEssentials, headers: inout SIPHeaders, remote: SocketAddress
    ) -> Bool {
        guard let stamped = stamped(essentials.topVia, remote: remote), essentials.topViaFieldIndex < headers.count
        else { return false }
        replaceTopValue(of: &headers, at: essentials.topViaFieldIndex, with: stamped)
        essentials.topVia = stamped
        return true
    }

    /// `via` with `received` (sent-by is not the source IP, or rport was asked for) and `rport`
    /// (asked for) added; nil when nothing needs adding.
    static func stamped(_ via: SIPVia, remote: SocketAddress) -> SIPVia? {
        guard let sourceIP = remote.sipIPAddress, let sourcePort = remote.port else { return nil }
        var via = via
        var changed = false
        let wantsRPort = via.rport == .some(nil)
        if wantsRPort || !sameIP(via.host, sourceIP), via.received != sourceIP {
            via.parameters.set("received", sourceIP)
            changed = true
        }
        if wantsRPort {
            via.parameters.set("rport", String(sourcePort))
            changed = true
        }
        return changed ? via : nil
    }

    /// Rewrites the first value of the Via line at `index`, keeping the rest of the line.
    static func replaceTopValue(of headers: inout SIPHeaders, at index: Int, with via: SIPVia) {
        let field = headers[index]
        let value = field.value
        headers.replace(
            at: index, with: SIPHeaderField(name: String(field.rawName), value: via.description + value[topValueEnd(value)...]))
    }

    /// Offset of the first comma outside quotes (end of the first Via value in the line).
    static func topValueEnd(_ value: Substring) -> Substring.Index {
        SIPRequestEssentials.topValue(of: value).endIndex
    }

    /// True when the Via host (maybe bracketed IPv6) is the same IP as `ip`.
    static func sameIP(_ host: String, _ ip: String) -> Bool {
        if host == ip { return true }
        guard let normalized = normalizedIP(host) else { return false }
        return normalized == ip
    }

    /// The canonical text of an IP literal (brackets removed), or nil for a host name.
    static func normalizedIP(_ host: String) -> String? {
        var h = Substring(host)
        if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        guard let first = h.first, first.isHexDigit || first == ":" else { return nil }
        guard let address = try? SocketAddress(ipAddress: String(h), port: 0) else { return nil }
        return address.sipIPAddress
    }
}

extension SocketAddress {
    /// The IP as text for Via `received` (no brackets; IPv4-mapped IPv6 shown as IPv4).
    public var sipIPAddress: String? {
        guard var ip = ipAddress else { return nil }
        if ip.hasPrefix("::ffff:"), ip.contains(".") { ip.removeFirst(7) }
        return ip
    }

    /// `host:port` with brackets for IPv6, for logs.
    public var sipHostPort: String {
        guard let ip = ipAddress, let port else { return description }
        if case .v6 = self { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
