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

    static func check(_ text: Substring, _ table: [Bool], what: String) throws(SIPParseError) {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == Lexer.percent {
                let h1 = utf8.index(after: index)
                guard h1 < utf8.endIndex, Lexer.isHexDigit(utf8[h1]) else {
                    throw SIPParseError(.invalidURI, "invalid escape in URI \(what)")
                }
                let h2 = utf8.index(after: h1)
                guard h2 < utf8.endIndex, Lexer.isHexDigit(utf8[h2]) else {
                    throw SIPParseError(.invalidURI, "invalid escape in URI \(what)")
                }
                index = utf8.index(after: h2)
                continue
            }
            guard table[Int(byte)] else { throw SIPParseError(.invalidURI, "invalid character in URI \(what)") }
            index = utf8.index(after: index)
        }
    }

    /// Parses a URI from `text` (no surrounding white space or angle brackets).
    static func parse(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        guard text.utf8.count <= limits.maxURILength else {
            throw SIPParseError(.limitExceeded, "URI longer than \(limits.maxURILength) bytes")
        }
        guard let colon = text.utf8.firstIndex(of: Lexer.colon) else {
            throw SIPParseError(.invalidURI, "URI without scheme")
        }
        let schemeText = text[text.startIndex..<colon]
        let scheme: Scheme
        if Lexer.equalsIgnoringCase(schemeText, "sip") {
            scheme = .sip
        } else if Lexer.equalsIgnoringCase(schemeText, "sips") {
            scheme = .sips
        } else if Lexer.equalsIgnoringCase(schemeText, "tel") {
            scheme = .tel
        } else {
            guard !schemeText.isEmpty, schemeText.utf8.allSatisfy({ Lexer.isAlpha($0) || Lexer.isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) else {
                throw SIPParseError(.invalidURI, "invalid URI scheme")
            }
            throw SIPParseError(.unsupportedURIScheme, "unsupported URI scheme")
        }
        let rest = text[text.utf8.index(after: colon)...]
        if scheme == .tel { return try parseTel(rest, limits: limits) }

        // userinfo: everything before the first '@' (no '@' may appear unescaped elsewhere).
        var user: String?
        var password: String?
        var hostPart = rest
        if let at = rest.utf8.firstIndex(of: Lexer.at) {
            let userinfo = rest[rest.startIndex..<at]
            hostPart = rest[rest.utf8.index(after: at)...]
            let userText: Substring
            if let pc = userinfo.utf8.firstIndex(of: Lexer.colon) {
                userText = userinfo[userinfo.startIndex..<pc]
                let pw = userinfo[userinfo.utf8.index(after: pc)...]
                try check(pw, passwordTable, what: "password")
                password = String(pw)
            } else {
                userText = userinfo
            }
            guard !userText.isEmpty else { throw SIPParseError(.invalidURI, "empty user in URI") }
            try check(userText, userTable, what: "user")
            user = String(userText)
        }

        // hostport, then ;params, then ?headers.
        let utf8 = hostPart.utf8
        var hostEnd = utf8.startIndex
        if utf8.first == Lexer.openBracket {
            guard let close = utf8.firstIndex(of: Lexer.closeBracket) else {
                throw SIPParseError(.invalidURI, "unterminated IPv6 reference")
            }
            hostEnd = utf8.index(after: close)
            let inner = hostPart[utf8.index(after: utf8.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.contains(Lexer.colon),
                inner.utf8.allSatisfy({ Lexer.isHexDigit($0) || $0 == Lexer.colon || $0 == 0x2E })
            else {
                throw SIPParseError(.invalidURI, "invalid IPv6 reference")
            }
        } else {
            while hostEnd < utf8.endIndex {
                let b = utf8[hostEnd]
                if b == Lexer.colon || b == Lexer.semicolon || b == Lexer.question { break }
                guard Lexer.isAlpha(b) || Lexer.isDigit(b) || b == 0x2D || b == 0x2E || b == 0x5F else {
                    throw SIPParseError(.invalidURI, "invalid character in URI host")
                }
                hostEnd = utf8.index(after: hostEnd)
            }
        }
        let host = hostPart[utf8.startIndex..<hostEnd]
        guard !host.isEmpty else { throw SIPParseError(.invalidURI, "URI without host") }
        var index = hostEnd
        var port: Int?
        if index < utf8.endIndex, utf8[index] == Lexer.colon {
            let portStart = utf8.index(after: index)
            var portEnd = portStart
            while portEnd < utf8.endIndex, Lexer.isDigit(utf8[portEnd]) { portEnd = utf8.index(after: portEnd) }
            guard let value = Lexer.parseDecimal(hostPart[portStart..<portEnd], max: 65535) else {
                throw SIPParseError(.invalidURI, "invalid port in URI")
            }
            port = Int(value)
            index = portEnd
        }
        var parameters = SIPParameters()
        var headers: [Header] = []
        if index < utf8.endIndex, utf8[index] == Lexer.semicolon {
            let paramEnd = hostPart[index...].utf8.firstIndex(of: Lexer.question) ?? utf8.endIndex
            let paramText = hostPart[utf8.index(after: index)..<paramEnd]
            parameters = try parseURIParameters(paramText, limits: limits)
            index = paramEnd
        }
        if index < utf8.endIndex, utf8[index] == Lexer.question {
            let headerText = hostPart[utf8.index(after: index)...]
            headers = try parseURIHeaders(headerText, limits: limits)
            index = utf8.endIndex
        }
        guard index == utf8.endIndex else { throw SIPParseError(.invalidURI, "unexpected character in URI") }
        return SIPURI(
            scheme: scheme, user: user, password: password, host: String(host), port: port,
            parameters: parameters, headers: headers)
    }

    static func parseURIParameters(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> SIPParameters {
        var elements: [SIPParameters.Parameter] = []
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw SIPParseError(.invalidURI, "empty URI parameter") }
            guard elements.count < limits.maxParameters else {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) URI parameters")
            }
            if let eq = part.utf8.firstIndex(of: Lexer.equals) {
                let name = part[part.startIndex..<eq]
                let value = part[part.utf8.index(after: eq)...]
                guard !name.isEmpty else { throw SIPParseError(.invalidURI, "empty URI parameter name") }
                try check(name, paramTable, what: "parameter")
                try check(value, paramTable, what: "parameter")
                elements.append(.init(name: String(name), value: String(value)))
            } else {
                try check(part, paramTable, what: "parameter")
                elements.append(.init(name: String(part), value: nil))
            }
        }
        return SIPParameters(elements)
    }

    static func parseURIHeaders(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> [Header] {
        var headers: [Header] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: false) {
            guard headers.count < limits.maxParameters else {
                throw SIPParseError(.limitExceeded, "more than \(limits.maxParameters) URI headers")
            }
            guard let eq = part.utf8.firstIndex(of: Lexer.equals) else {
                throw SIPParseError(.invalidURI, "URI header without '='")
            }
            let name = part[part.startIndex..<eq]
            let value = part[part.utf8.index(after: eq)...]
            guard !name.isEmpty else { throw SIPParseError(.invalidURI, "empty URI header name") }
            try check(name, headerTable, what: "header")
            try check(value, headerTable, what: "header")
            headers.append(Header(name: String(name), value: String(value)))
        }
        return headers
    }

    static func parseTel(_ text: Substring, limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        let number: Substring
        var parameters = SIPParameters()
        if let semi = text.utf8.firstIndex(of: Lexer.semicolon) {
            number = text[text.startIndex..<semi]
            parameters = try parseURIParameters(text[text.utf8.index(after: semi)...], limits: limits)
        } else {
            number = text
        }
        guard !number.isEmpty else { throw SIPParseError(.invalidURI, "empty tel URI number") }
        try check(number, telTable, what: "telephone number")
        return SIPURI(scheme: .tel, user: String(number), host: "", parameters: parameters)
    }
}
