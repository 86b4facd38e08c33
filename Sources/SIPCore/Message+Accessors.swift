/// Typed, on-demand accessors for the headers a registrar and proxy use. Each parses when
/// called and throws a ``SIPParseError`` naming the header on malformed input; absent optional
/// headers give nil or an empty list.
extension SIPMessageProtocol {
    /// Via values, top first, across all Via lines (RFC 3261 §20.42).
    public func vias(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPVia] {
        var result: [SIPVia] = []
        for value in try headers.values(.via, limits: limits) { result.append(try SIPVia(parsing: value, limits: limits)) }
        return result
    }

    /// The topmost Via value.
    public var topVia: SIPVia {
        get throws(SIPParseError) {
            let headers = self.headers
            for index in headers.indices where headers.matches(index, .via) {
                var via: SIPVia?
                var failure: SIPParseError?
                headers.withValueBytes(at: index) { p, source, offset in
                    // The first value of the line, the whole line checked as values(_:) does.
                    var first: (Int, Int)?
                    failure = Lexer.scanParts(p, separator: Lexer.comma, limit: 64, nesting: 32, keepingEmpty: false) {
                        lo, hi in
                        if first == nil { first = (lo, hi) }
                        return true
                    }
                    guard failure == nil, let (lo, hi) = first else { return }
                    do throws(SIPParseError) {
                        let (parsed, versionError) = try SIPVia.parse(
                            UnsafeBufferPointer(rebasing: p[lo..<hi]), source: source, offset: offset + lo,
                            limits: .default)
                        if let versionError { throw versionError }
                        via = parsed
                    } catch {
                        failure = error
                    }
                }
                if let failure { throw failure }
                if let via = via.take() { return via }
            }
            throw SIPParseError(.missingHeader, "missing Via")
        }
    }

    /// From (RFC 3261 §20.20).
    public var from: SIPNameAddress {
        get throws(SIPParseError) { try nameAddress(.from) }
    }

    /// To (RFC 3261 §20.39).
    public var to: SIPNameAddress {
        get throws(SIPParseError) { try nameAddress(.to) }
    }

    /// Call-ID (RFC 3261 §20.8), trimmed.
    public var callID: Substring? { headers[.callID].map(Lexer.trim) }

    /// CSeq (RFC 3261 §20.16).
    public var cseq: SIPCSeq {
        get throws(SIPParseError) {
            let headers = self.headers
            guard let index = headers.firstIndex(of: .cseq) else { throw SIPParseError(.missingHeader, "missing CSeq") }
            var failure: SIPParseError?
            let cseq = headers.withValueBytes(at: index) { p, _, _ in
                SIPCSeq.parse(p, 0, p.count, failure: &failure)
            }
            guard let cseq else { throw failure.unsafelyUnwrapped }
            return cseq
        }
    }

    /// Max-Forwards (RFC 3261 §20.22); nil when absent.
    public var maxForwards: Int? {
        get throws(SIPParseError) { try deltaSeconds(.maxForwards, max: 255).map(Int.init) }
    }

    /// Contact (RFC 3261 §20.10): `*` or the list of contacts; an empty list when absent.
    public func contacts(limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPContactList {
        var result: [SIPContact] = []
        var values = 0
        var wildcard = false
        let headers = self.headers
        for index in headers.indices where headers.matches(index, .contact) {
            var failure: SIPParseError?
            headers.withValueBytes(at: index) { p, source, offset in
                // Checked as values(_:) does, then parsed value by value.
                failure = Lexer.scanParts(
                    p, separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting,
                    keepingEmpty: false
                ) { _, _ in true }
                guard failure == nil else { return }
                _ = Lexer.scanParts(p, separator: Lexer.comma, limit: .max, nesting: .max, keepingEmpty: false) {
                    lo, hi in
                    values += 1
                    if values > limits.maxHeaderCount {
                        failure = SIPParseError(.limitExceeded, "too many Contact values")
                        return false
                    }
                    if hi - lo == 1, p[lo] == UInt8(ascii: "*") {
                        wildcard = true
                        return true
                    }
                    do throws(SIPParseError) {
                        let address = try SIPNameAddress.parse(
                            UnsafeBufferPointer(rebasing: p[lo..<hi]), source: source, offset: offset + lo,
                            limits: limits)
                        result.append(SIPContact(address: address))
                    } catch {
                        failure = SIPParseError(error.code, "invalid Contact: \(error.reason)")
                        return false
                    }
                    return true
                }
            }
            if let failure { throw failure }
        }
        if wildcard {
            guard values == 1 else { throw SIPParseError(.invalidHeaderValue, "Contact '*' mixed with other contacts") }
            return .wildcard
        }
        return .contacts(result)
    }

    /// Expires (RFC 3261 §20.19) in seconds; nil when absent.
    public var expires: UInt32? {
        get throws(SIPParseError) { try deltaSeconds(.expires).map { UInt32($0) } }
    }

    /// Min-Expires (RFC 3261 §20.23) in seconds; nil when absent.
    public var minExpires: UInt32? {
        get throws(SIPParseError) { try deltaSeconds(.minExpires).map { UInt32($0) } }
    }

    /// Route (RFC 3261 §20.34), in order.
    public func routes(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPNameAddress] {
        try nameAddresses(.route, limits: limits)
    }

    /// Record-Route (RFC 3261 §20.30), in order.
    public func recordRoutes(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPNameAddress] {
        try nameAddresses(.recordRoute, limits: limits)
    }

    /// Path (RFC 3327 §4), in order.
    public func paths(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPNameAddress] {
        try nameAddresses(.path, limits: limits)
    }

    /// Authorization credentials, one per header line (RFC 3261 §20.7).
    public func authorizations(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAuthHeader] {
        try authHeaders(.authorization, limits: limits)
    }

    /// Proxy-Authorization credentials (RFC 3261 §20.28).
    public func proxyAuthorizations(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAuthHeader] {
        try authHeaders(.proxyAuthorization, limits: limits)
    }

    /// WWW-Authenticate challenges (RFC 3261 §20.44).
    public func wwwAuthenticates(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAuthHeader] {
        try authHeaders(.wwwAuthenticate, limits: limits)
    }

    /// Proxy-Authenticate challenges (RFC 3261 §20.27).
    public func proxyAuthenticates(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAuthHeader] {
        try authHeaders(.proxyAuthenticate, limits: limits)
    }

    /// Event (RFC 6665 §8.2.1); nil when absent.
    public var event: SIPEventHeader? {
        get throws(SIPParseError) { try headers[.event].map { v throws(SIPParseError) in try SIPEventHeader(parsing: v) } }
    }

    /// Subscription-State (RFC 6665 §8.2.3); nil when absent.
    public var subscriptionState: SIPSubscriptionState? {
        get throws(SIPParseError) {
            try headers[.subscriptionState].map { v throws(SIPParseError) in try SIPSubscriptionState(parsing: v) }
        }
    }

    /// Allow-Events package names (RFC 6665 §8.2.2).
    public var allowEvents: [String] { get throws(SIPParseError) { try tokens(.allowEvents) } }
    /// Supported option tags (RFC 3261 §20.37).
    public var supported: [String] { get throws(SIPParseError) { try tokens(.supported) } }
    /// Require option tags (RFC 3261 §20.32).
    public var require: [String] { get throws(SIPParseError) { try tokens(.require) } }
    /// Proxy-Require option tags (RFC 3261 §20.29).
    public var proxyRequire: [String] { get throws(SIPParseError) { try tokens(.proxyRequire) } }

    /// Content-Type (RFC 3261 §20.15); nil when absent.
    public var contentType: SIPMediaType? {
        get throws(SIPParseError) { try headers[.contentType].map { v throws(SIPParseError) in try SIPMediaType(parsing: v) } }
    }

    /// Content-Length (RFC 3261 §20.14); nil when absent.
    public var contentLength: Int? {
        get throws(SIPParseError) { try deltaSeconds(.contentLength, max: UInt64(Int32.max)).map(Int.init) }
    }

    /// User-Agent (RFC 3261 §20.41) as written.
    public var userAgent: String? { headers[.userAgent].map(String.init) }

    // MARK: helpers

    func nameAddress(_ name: SIPHeaderName) throws(SIPParseError) -> SIPNameAddress {
        let headers = self.headers
        guard let index = headers.firstIndex(of: name) else {
            throw SIPParseError(.missingHeader, "missing \(name.canonical)")
        }
        var address: SIPNameAddress?
        var failure: SIPParseError?
        headers.withValueBytes(at: index) { p, source, offset in
            do throws(SIPParseError) {
                address = try SIPNameAddress.parse(p, source: source, offset: offset, limits: .default)
            } catch {
                failure = SIPParseError(error.code, "invalid \(name.canonical): \(error.reason)")
            }
        }
        if let failure { throw failure }
        return address.take().unsafelyUnwrapped
    }

    func nameAddresses(_ name: SIPHeaderName, limits: SIPParserLimits) throws(SIPParseError) -> [SIPNameAddress] {
        var result: [SIPNameAddress] = []
        for value in try headers.values(name, limits: limits) {
            do { result.append(try SIPNameAddress(parsing: value, limits: limits)) } catch {
                throw SIPParseError(error.code, "invalid \(name.canonical): \(error.reason)")
            }
        }
        return result
    }

    func authHeaders(_ name: SIPHeaderName, limits: SIPParserLimits) throws(SIPParseError) -> [SIPAuthHeader] {
        var result: [SIPAuthHeader] = []
        let headers = self.headers
        for index in headers.indices where headers.matches(index, name) {
            var failure: SIPParseError?
            headers.withValueBytes(at: index) { p, source, offset in
                do throws(SIPParseError) {
                    result.append(try SIPAuthHeader.parse(p, source: source, offset: offset, limits: limits))
                } catch {
                    failure = SIPParseError(error.code, "invalid \(name.canonical): \(error.reason)")
                }
            }
            if let failure { throw failure }
        }
        return result
    }

    func deltaSeconds(_ name: SIPHeaderName, max: UInt64 = UInt64(UInt32.max)) throws(SIPParseError) -> UInt64? {
        guard let value = headers[name] else { return nil }
        guard let number = Lexer.parseDecimal(Lexer.trim(value), max: max) else {
            throw SIPParseError(.invalidHeaderValue, "invalid \(name.canonical)")
        }
        return number
    }

    func tokens(_ name: SIPHeaderName) throws(SIPParseError) -> [String] {
        var result: [String] = []
        for value in try headers.values(name) {
            guard Lexer.isToken(value) else { throw SIPParseError(.invalidHeaderValue, "invalid \(name.canonical)") }
            result.append(String(value))
        }
        return result
    }
}
