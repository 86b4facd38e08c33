extension SIPURI {
    /// Characters of RFC 3261 `unreserved`: alphanum / mark.
    static let unreservedTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = true }
        for c in "-_.!~*'()".utf8 { table[Int(c)] = true }
        return table
    }()

    /// `user` = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? /
    static let userTable: [Bool] = {
        var table = unreservedTable
        for c in "&=+$,;?/".utf8 { table[Int(c)] = true }
        return table
    }()

    /// `password` = *( unreserved / escaped / & = + $ , )
    static let passwordTable: [Bool] = {
        var table = unreservedTable
        for c in "&=+$,".utf8 { table[Int(c)] = true }
        return table
    }()

    /// `paramchar` = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
    static let paramTable: [Bool] = {
        var table = unreservedTable
        for c in "[]/:&+$".utf8 { table[Int(c)] = true }
        return table
    }()

    /// `hnv-unreserved` = [ ] / ? : + $, plus unreserved / escaped.
    static let headerTable: [Bool] = {
        var table = unreservedTable
        for c in "[]/?:+$".utf8 { table[Int(c)] = true }
        return table
    }()

    /// tel URI `telephone-subscriber` characters we accept (RFC 3966 §3): digits, visual
    /// separators, `+`, `*`, `#`, hex digits, and the characters of parameters.
    static let telTable: [Bool] = {
        var table = unreservedTable
        for c in "+*#-.()".utf8 { table[Int(c)] = true }
        return table
    }()

    /// A set of ASCII bytes as two 64-bit masks (bytes 0–63 and 64–127): no table lookup, no
    /// lazily initialised global.
    struct ByteClass {
        let low: UInt64
        let high: UInt64
        @inline(__always) func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? (low >> UInt64(byte)) & 1 != 0 : byte < 128 ? (high >> UInt64(byte &- 64)) & 1 != 0 : false
        }
        /// ``unreservedTable``, ``userTable`` … as masks (the tables stay for escaping).
        static let user = ByteClass(low: 0xABFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
        static let password = ByteClass(low: 0x23FF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
        static let param = ByteClass(low: 0x07FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
        static let header = ByteClass(low: 0x87FF_EF92_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
        static let tel = ByteClass(low: 0x03FF_6F8A_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
        /// alphanum / "-" / "." / "_": the characters of a host name or IPv4 address.
        static let host = ByteClass(low: 0x03FF_6000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE)
    }

    /// Checks `p[start..<end]` against `allowed`, with `%HH` escapes (RFC 3261 §25.1 `escaped`).
    static func check(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ allowed: ByteClass, what: StaticString
    ) throws(SIPParseError) {
        var i = start
        while i < end {
            let byte = p[i]
            if allowed.contains(byte) {
                i += 1
            } else if byte == Lexer.percent {
                guard i + 2 < end, Lexer.isHexDigit(p[i + 1]), Lexer.isHexDigit(p[i + 2]) else {
                    throw SIPParseError(.invalidURI, "invalid escape in URI \(what)")
                }
                i += 3
            } else {
                throw SIPParseError(.invalidURI, "invalid character in URI \(what)")
            }
        }
    }

    /// `p[start..<end]` as a string (no allocation up to 15 bytes).
    @inline(__always)
    static func string(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
    }

    /// Parses a URI from `text` (no surrounding white space or angle brackets). The parameters
    /// are kept as a range of `text`, checked but not copied.
    static func parse(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        var uri: SIPURI?
        var failure: SIPParseError?
        Lexer.withSource(text) { p, source, offset in
            do throws(SIPParseError) { uri = try parse(p, source: source, offset: offset, limits: limits) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return uri.take().unsafelyUnwrapped
    }

    /// Parses the URI whose UTF-8 bytes `p` start at UTF-8 offset `offset` of `source` (which the
    /// parameters refer to).
    static func parse(_ p: UnsafeBufferPointer<UInt8>, source: String, offset: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> SIPURI
    {
        let count = p.count
        guard count <= limits.maxURILength else {
            throw SIPParseError(.limitExceeded, "URI longer than \(limits.maxURILength) bytes")
        }
        var colon = 0
        while colon < count, p[colon] != Lexer.colon { colon += 1 }
        guard colon < count else { throw SIPParseError(.invalidURI, "URI without scheme") }
        let scheme: Scheme
        if colon == 3, Lexer.lower(p[0]) == 0x73, Lexer.lower(p[1]) == 0x69, Lexer.lower(p[2]) == 0x70 {
            scheme = .sip
        } else if colon == 4, Lexer.lower(p[0]) == 0x73, Lexer.lower(p[1]) == 0x69, Lexer.lower(p[2]) == 0x70,
            Lexer.lower(p[3]) == 0x73
        {
            scheme = .sips
        } else if colon == 3, Lexer.lower(p[0]) == 0x74, Lexer.lower(p[1]) == 0x65, Lexer.lower(p[2]) == 0x6C {
            scheme = .tel
        } else {
            guard colon > 0,
                (0..<colon).allSatisfy({ Lexer.isAlpha(p[$0]) || Lexer.isDigit(p[$0]) || p[$0] == 0x2B || p[$0] == 0x2D
                    || p[$0] == 0x2E
                })
            else {
                throw SIPParseError(.invalidURI, "invalid URI scheme")
            }
            throw SIPParseError(.unsupportedURIScheme, "unsupported URI scheme")
        }
        if scheme == .tel { return try parseTel(p, colon + 1, source: source, offset: offset, limits: limits) }

        // userinfo: everything before the first '@' (no '@' may appear unescaped elsewhere).
        var user: String?
        var password: String?
        var hostStart = colon + 1
        var at = hostStart
        while at < count, p[at] != Lexer.at { at += 1 }
        if at < count {
            var userEnd = hostStart
            while userEnd < at, p[userEnd] != Lexer.colon { userEnd += 1 }
            if userEnd < at {
                try check(p, userEnd + 1, at, .password, what: "password")
                password = string(p, userEnd + 1, at)
            }
            guard userEnd > hostStart else { throw SIPParseError(.invalidURI, "empty user in URI") }
            try check(p, hostStart, userEnd, .user, what: "user")
            user = string(p, hostStart, userEnd)
            hostStart = at + 1
        }

        // hostport, then ;params, then ?headers.
        var index = hostStart
        if index < count, p[index] == Lexer.openBracket {
            var close = index + 1
            while close < count, p[close] != Lexer.closeBracket { close += 1 }
            guard close < count else { throw SIPParseError(.invalidURI, "unterminated IPv6 reference") }
            let inner = (index + 1)..<close
            guard !inner.isEmpty, inner.contains(where: { p[$0] == Lexer.colon }),
                inner.allSatisfy({ Lexer.isHexDigit(p[$0]) || p[$0] == Lexer.colon || p[$0] == 0x2E })
            else {
                throw SIPParseError(.invalidURI, "invalid IPv6 reference")
            }
            index = close + 1
        } else {
            while index < count {
                let b = p[index]
                if b == Lexer.colon || b == Lexer.semicolon || b == Lexer.question { break }
                guard ByteClass.host.contains(b) else {
                    throw SIPParseError(.invalidURI, "invalid character in URI host")
                }
                index += 1
            }
        }
        guard index > hostStart else { throw SIPParseError(.invalidURI, "URI without host") }
        let host = string(p, hostStart, index)
        var port: Int?
        if index < count, p[index] == Lexer.colon {
            var value = 0
            let digitsStart = index + 1
            index = digitsStart
            while index < count, Lexer.isDigit(p[index]) {
                value = value * 10 + Int(p[index] &- 0x30)
                guard value <= 65535 else { throw SIPParseError(.invalidURI, "invalid port in URI") }
                index += 1
            }
            guard index > digitsStart else { throw SIPParseError(.invalidURI, "invalid port in URI") }
            port = value
        }
        var parameters = SIPParameters()
        var headers: [Header] = []
        if index < count, p[index] == Lexer.semicolon {
            var paramEnd = index
            while paramEnd < count, p[paramEnd] != Lexer.question { paramEnd += 1 }
            parameters = try parseURIParameters(p, index + 1, paramEnd, source: source, offset: offset, limits: limits)
            index = paramEnd
        }
        if index < count, p[index] == Lexer.question {
            headers = try parseURIHeaders(p, index + 1, count, limits: limits)
            index = count
        }
        guard index == count else { throw SIPParseError(.invalidURI, "unexpected character in URI") }
        return SIPURI(
            scheme: scheme, user: user, password: password, host: host, port: port, parameters: parameters,
            headers: headers)
    }

    /// Checks the URI parameters `p[start..<end]` (after the first `;`) and keeps them as a range
    /// of `source`.
    static func parseURIParameters(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, source: String, offset: Int,
        limits: SIPParserLimits
    ) throws(SIPParseError) -> SIPParameters {
        var count = 0
        var lo = start
        while true {
            var hi = lo
            while hi < end, p[hi] != Lexer.semicolon { hi += 1 }
            guard hi > lo else { throw SIPParseError(.invalidURI, "empty URI parameter") }
            guard count < limits.maxParameters else {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) URI parameters")
            }
            var eq = lo
            while eq < hi, p[eq] != Lexer.equals { eq += 1 }
            if eq < hi {
                guard eq > lo else { throw SIPParseError(.invalidURI, "empty URI parameter name") }
                try check(p, lo, eq, .param, what: "parameter")
                try check(p, eq + 1, hi, .param, what: "parameter")
            } else {
                try check(p, lo, hi, .param, what: "parameter")
            }
            count += 1
            guard hi < end else { break }
            lo = hi + 1
        }
        return SIPParameters(
            text: ParameterText(source: source, start: Int32(offset + start), end: Int32(offset + end), style: .uri))
    }

    static func parseURIHeaders(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, limits: SIPParserLimits)
        throws(SIPParseError) -> [Header]
    {
        var headers: [Header] = []
        var lo = start
        while true {
            var hi = lo
            while hi < end, p[hi] != Lexer.ampersand { hi += 1 }
            guard headers.count < limits.maxParameters else {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) URI headers")
            }
            var eq = lo
            while eq < hi, p[eq] != Lexer.equals { eq += 1 }
            guard eq < hi else { throw SIPParseError(.invalidURI, "URI header without '='") }
            guard eq > lo else { throw SIPParseError(.invalidURI, "empty URI header name") }
            try check(p, lo, eq, .header, what: "header")
            try check(p, eq + 1, hi, .header, what: "header")
            headers.append(Header(name: string(p, lo, eq), value: string(p, eq + 1, hi)))
            guard hi < end else { break }
            lo = hi + 1
        }
        return headers
    }

    static func parseTel(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int, source: String, offset: Int, limits: SIPParserLimits
    ) throws(SIPParseError) -> SIPURI {
        var semi = start
        while semi < p.count, p[semi] != Lexer.semicolon { semi += 1 }
        var parameters = SIPParameters()
        if semi < p.count {
            parameters = try parseURIParameters(p, semi + 1, p.count, source: source, offset: offset, limits: limits)
        }
        guard semi > start else { throw SIPParseError(.invalidURI, "empty tel URI number") }
        try check(p, start, semi, .tel, what: "telephone number")
        return SIPURI(scheme: .tel, user: string(p, start, semi), host: "", parameters: parameters)
    }
}
