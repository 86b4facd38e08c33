import PropertyBased
import SIPCore
import Testing

/// Random choices for the generators below.
struct Pick {
    static func int(_ range: ClosedRange<Int>, _ rng: inout any SeededRandomNumberGenerator) -> Int {
        Int.random(in: range, using: &rng)
    }
    static func bool(_ rng: inout any SeededRandomNumberGenerator, _ rate: Double = 0.5) -> Bool {
        Double.random(in: 0..<1, using: &rng) < rate
    }
    static func element<T>(_ items: [T], _ rng: inout any SeededRandomNumberGenerator) -> T {
        items[int(0...(items.count - 1), &rng)]
    }
    /// A string of `count` characters of `alphabet`, with `%HH` escapes mixed in when `escapes`.
    static func text(
        _ alphabet: String, _ count: ClosedRange<Int>, escapes: Bool = false,
        _ rng: inout any SeededRandomNumberGenerator
    ) -> String {
        let characters = Array(alphabet)
        var out = ""
        for _ in 0..<int(count, &rng) {
            if escapes, bool(&rng, 0.1) {
                out +=
                    "%" + String(element(Array("0123456789ABCDEFabcdef"), &rng))
                    + String(element(Array("0123456789ABCDEF"), &rng))
            } else {
                out.append(element(characters, &rng))
            }
        }
        return out
    }
}

/// Alphabets of RFC 3261 §25.1.
enum Alphabet {
    static let alphanum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    static let unreserved = alphanum + "-_.!~*'()"
    static let user = unreserved + "&=+$,;?/"
    static let password = unreserved + "&=+$,"
    static let param = unreserved + "[]/:&+$"
    static let header = unreserved + "[]/?:+$"
    static let token = alphanum + "-.!%*_+`'~"
    static let label = "abcdefghijklmnopqrstuvwxyz0123456789"
}

enum SIPGen {
    static func host(_ rng: inout any SeededRandomNumberGenerator) -> String {
        switch Pick.int(0...2, &rng) {
        case 0:
            return (0..<Pick.int(1...4, &rng)).map { _ in
                Pick.text(Alphabet.label, 1...1, &rng) + Pick.text(Alphabet.label + "-", 0...6, &rng)
                    + Pick.text(Alphabet.label, 0...1, &rng)
            }.joined(separator: ".") + Pick.element(["", ".example.net", ".EXAMPLE.com"], &rng)
        case 1:
            return (0..<4).map { _ in String(Pick.int(0...255, &rng)) }.joined(separator: ".")
        default:
            let groups = (0..<Pick.int(1...6, &rng)).map { _ in String(Pick.int(0...0xFFFF, &rng), radix: 16) }
            return "[2001:db8::" + groups.joined(separator: ":") + "]"
        }
    }

    static func parameters(_ alphabet: String, _ rng: inout any SeededRandomNumberGenerator) -> SIPParameters {
        SIPParameters(
            (0..<Pick.int(0...4, &rng)).map { _ in
                let name = Pick.element(["transport", "lr", "user", "maddr", "ttl", "method", "ob", "gr"], &rng)
                let custom = Pick.text(alphabet, 1...8, escapes: true, &rng)
                let value: String? = Pick.bool(&rng, 0.7) ? Pick.text(alphabet, 0...10, escapes: true, &rng) : nil
                return .init(name: Pick.bool(&rng) ? name : custom, value: value)
            })
    }

    static func sipURI(_ rng: inout any SeededRandomNumberGenerator) -> SIPURI {
        let user: String? = Pick.bool(&rng, 0.8) ? Pick.text(Alphabet.user, 1...12, escapes: true, &rng) : nil
        let password: String? =
            user != nil && Pick.bool(&rng, 0.2) ? Pick.text(Alphabet.password, 0...8, escapes: true, &rng) : nil
        let headers: [SIPURI.Header] =
            Pick.bool(&rng, 0.3)
            ? (0..<Pick.int(1...3, &rng)).map { _ in
                SIPURI.Header(
                    name: Pick.text(Alphabet.header, 1...8, escapes: true, &rng),
                    value: Pick.text(Alphabet.header, 0...12, escapes: true, &rng))
            } : []
        return SIPURI(
            scheme: Pick.bool(&rng, 0.8) ? .sip : .sips, user: user, password: password, host: host(&rng),
            port: Pick.bool(&rng, 0.4) ? Pick.int(0...65535, &rng) : nil, parameters: parameters(Alphabet.param, &rng),
            headers: headers)
    }

    static func telURI(_ rng: inout any SeededRandomNumberGenerator) -> SIPURI {
        let number =
            (Pick.bool(&rng) ? "+" : "") + Pick.text("0123456789", 1...1, &rng)
            + Pick.text("0123456789-.()*#", 0...14, &rng)
        return SIPURI(scheme: .tel, user: number, host: "", parameters: parameters(Alphabet.param, &rng))
    }

    static let uri = Generator<SIPURI, Shrink.None<SIPURI>> { rng in
        Pick.bool(&rng, 0.85) ? sipURI(&rng) : telURI(&rng)
    }

    /// The same URI written differently: host case, escaped user characters, parameter order and
    /// name case. RFC 3261 §19.1.4 says these are equivalent.
    static func rewritten(_ uri: SIPURI, _ rng: inout any SeededRandomNumberGenerator) -> SIPURI {
        var copy = uri
        if copy.scheme != .tel {
            copy.host = Pick.bool(&rng) ? copy.host.uppercased() : copy.host.lowercased()
            if let user = copy.user {
                copy.user = String(
                    user.flatMap { c -> [Character] in
                        guard c.isLetter, Pick.bool(&rng, 0.3) else { return [c] }
                        let hex = String(c.asciiValue!, radix: 16, uppercase: Pick.bool(&rng))
                        return Array("%" + hex)
                    })
            }
        }
        var elements = copy.parameters.elements
        elements.shuffle(using: &rng)
        elements = elements.map { .init(name: Pick.bool(&rng) ? $0.name.uppercased() : $0.name, value: $0.value) }
        copy.parameters = SIPParameters(elements)
        copy.headers.shuffle(using: &rng)
        return copy
    }
}

@Suite struct URIPropertyTests {
    @Test func generatedURIsRoundTrip() async {
        await propertyCheck(count: 500, input: SIPGen.uri) { uri in
            let text = uri.description
            let parsed: SIPURI
            do { parsed = try SIPURI(parsing: text) } catch {
                Issue.record("\(text) did not parse: \(error)")
                return
            }
            #expect(structurallyEqual(parsed, uri), "\(text) → \(parsed)")
            #expect(parsed == uri)
            #expect(parsed.hashValue == uri.hashValue)
            #expect(parsed.description == text)
        }
    }

    @Test func rewrittenURIsAreEquivalent() async {
        let pairs = Generator<(SIPURI, SIPURI), Shrink.None<(SIPURI, SIPURI)>> { rng in
            // Duplicate parameter names make "the" value ambiguous; keep names unique here.
            var uri = SIPGen.sipURI(&rng)
            var seen: Set<String> = []
            uri.parameters = SIPParameters(
                uri.parameters.elements.filter { seen.insert($0.name.lowercased()).inserted })
            var seenHeaders: Set<String> = []
            uri.headers = uri.headers.filter { seenHeaders.insert(SIPURI.unescape($0.name).lowercased()).inserted }
            return (uri, SIPGen.rewritten(uri, &rng))
        }
        await propertyCheck(count: 300, input: pairs) { pair in
            let (a, b) = pair
            let parsedB = try SIPURI(parsing: b.description)
            #expect(a == parsedB, "\(a) vs \(b)")
            #expect(a.hashValue == parsedB.hashValue)
            // Changing the port or the scheme breaks equivalence.
            var other = parsedB
            other.port = (a.port ?? 5060) + 1
            #expect(a != other)
            other = parsedB
            other.scheme = a.scheme == .sip ? .sips : .sip
            #expect(a != other)
        }
    }
}

enum MessageGen {
    static let methods: [SIPMethod] = [
        .invite, .register, .options, .subscribe, .notify, .message, .bye, SIPMethod("X-EXT.1"),
    ]

    static func value(_ rng: inout any SeededRandomNumberGenerator) -> String {
        // Printable ASCII and some UTF-8, no leading/trailing white space, no CR/LF.
        let inner = Pick.text(Alphabet.token + " ,;:<>\"=/@[]?{}()\\\u{E9}\u{263A}", 0...30, &rng)
        return Pick.text(Alphabet.token, 1...1, &rng) + inner + Pick.text(Alphabet.token, 1...1, &rng)
    }

    static func extensionHeader(_ rng: inout any SeededRandomNumberGenerator) -> SIPHeaderField {
        switch Pick.int(0...3, &rng) {
        case 0:
            let name = Pick.element(["m", "v", "k", "s", "e", "o", "u", "r", "b", "x", "y", "a"], &rng)
            return SIPHeaderField(name: Pick.bool(&rng) ? name : name.uppercased(), value: value(&rng))
        case 1:
            let name = Pick.element(
                [
                    "Contact", "Route", "Record-Route", "Path", "Supported", "Require", "User-Agent", "Expires",
                    "Event", "Allow",
                ],
                &rng)
            return SIPHeaderField(name: Pick.bool(&rng) ? name : name.lowercased(), value: value(&rng))
        default:
            return SIPHeaderField(name: "X-" + Pick.text(Alphabet.token, 1...12, &rng), value: value(&rng))
        }
    }

    static func message(_ rng: inout any SeededRandomNumberGenerator) -> SIPMessage {
        var headers = SIPHeaders()
        var mandatory: [SIPHeaderField] = []
        let method = Pick.element(methods, &rng)
        for _ in 0..<Pick.int(1...3, &rng) {
            mandatory.append(
                SIPHeaderField(
                    name: Pick.element(["Via", "v"], &rng),
                    value:
                        "SIP/2.0/\(Pick.element(["UDP", "TCP", "TLS"], &rng)) \(SIPGen.host(&rng));branch=z9hG4bK\(Pick.text(Alphabet.token, 1...10, &rng))"
                ))
        }
        mandatory.append(
            SIPHeaderField(
                name: Pick.element(["From", "f"], &rng),
                value: "<\(SIPGen.sipURI(&rng))>;tag=\(Pick.text(Alphabet.token, 1...8, &rng))"))
        mandatory.append(SIPHeaderField(name: Pick.element(["To", "t"], &rng), value: "<\(SIPGen.sipURI(&rng))>"))
        mandatory.append(
            SIPHeaderField(
                name: Pick.element(["Call-ID", "i", "call-id"], &rng),
                value: Pick.text(Alphabet.token + "@", 1...20, &rng)))
        mandatory.append(
            SIPHeaderField(
                name: Pick.element(["CSeq", "CSEQ"], &rng),
                value: "\(Pick.int(0...0x7FFF_FFFF, &rng)) \(method.rawValue)"))
        if Pick.bool(&rng) { mandatory.append(SIPHeaderField(.maxForwards, String(Pick.int(0...255, &rng)))) }
        var extras = (0..<Pick.int(0...8, &rng)).map { _ in extensionHeader(&rng) }
        // Interleave mandatory and extension headers in a random order, keeping Vias in order.
        var fields: [SIPHeaderField] = []
        while !mandatory.isEmpty || !extras.isEmpty {
            if !mandatory.isEmpty && (extras.isEmpty || Pick.bool(&rng)) {
                fields.append(mandatory.removeFirst())
            } else {
                fields.append(extras.removeFirst())
            }
        }
        for field in fields { headers.append(field) }
        let body = (0..<Pick.int(0...40, &rng)).map { _ in UInt8(Pick.int(0...255, &rng)) }
        if Pick.bool(&rng, 0.6) {
            // A Request-URI carries no headers (RFC 3261 §19.1.1, Table 1).
            var uri = SIPGen.uri.run(using: &rng)
            uri.headers = []
            var request = SIPRequest(method: method, uri: uri, headers: headers)
            request.setBody(body, contentType: body.isEmpty ? nil : "application/octet-stream")
            return .request(request)
        } else {
            let code = Pick.int(100...699, &rng)
            var response = SIPResponse(
                statusCode: code, reasonPhrase: Pick.bool(&rng) ? nil : Pick.text(Alphabet.token + " ", 0...20, &rng),
                headers: headers)
            response.setBody(body, contentType: body.isEmpty ? nil : "application/octet-stream")
            return .response(response)
        }
    }

    static let generator = Generator<SIPMessage, Shrink.None<SIPMessage>> { rng in message(&rng) }
}

@Suite struct MessagePropertyTests {
    @Test func generatedMessagesRoundTrip() async {
        await propertyCheck(count: 300, input: MessageGen.generator) { message in
            let bytes = message.serialized()
            for framing in [SIPMessageParser.Framing.datagram, .stream] {
                let parsed: SIPMessage
                do { parsed = try SIPMessageParser().parse(bytes, framing: framing) } catch {
                    Issue.record("did not parse (\(error)):\n\(message)")
                    return
                }
                #expect(parsed == message)
                #expect(parsed.headers.map(\.rawName) == message.headers.map(\.rawName))
                // Parsed fields keep their lines: the second serialization is byte-identical.
                #expect(parsed.serialized() == bytes)
            }
        }
    }

    @Test func generatedMessagesSurviveAnyTruncation() async {
        // Cutting a valid message anywhere gives a message or a typed error, never a crash.
        await propertyCheck(count: 30, input: MessageGen.generator) { message in
            let bytes = message.serialized()
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
                _ = try? SIPMessageParser().parse(Array(bytes[..<cut]), framing: .stream)
            }
            let full = try SIPMessageParser().parse(bytes, framing: .stream)
            #expect(full == message)
        }
    }
}

/// Lists of values written on one or many header lines split back into the same list
/// (RFC 3261 §7.3.1).
@Suite struct HeaderListPropertyTests {
    static func contactValue(_ rng: inout any SeededRandomNumberGenerator) -> (text: String, name: String?, uri: SIPURI)
    {
        var uri = SIPGen.sipURI(&rng)
        uri.headers = []
        var name: String?
        var text = ""
        if Pick.bool(&rng, 0.6) {
            let display = Pick.text(Alphabet.token + " ,;<>@:\"\\", 0...15, &rng)
            name = display
            var quoted = "\""
            for c in display {
                if c == "\"" || c == "\\" { quoted += "\\" }
                quoted.append(c)
            }
            text = quoted + "\"" + Pick.element(["", " ", "  "], &rng)
        }
        text += "<\(uri)>"
        if Pick.bool(&rng) { text += ";q=0.\(Pick.int(0...9, &rng))" }
        if Pick.bool(&rng) {
            text +=
                ";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-\(Pick.text("0123456789abcdef", 12...12, &rng))>\""
        }
        return (text, name, uri)
    }

    static let lists = Generator<
        ([(text: String, name: String?, uri: SIPURI)], [Int], [String]),
        Shrink.None<([(text: String, name: String?, uri: SIPURI)], [Int], [String])>
    > { rng in
        let values = (0..<Pick.int(1...8, &rng)).map { _ in contactValue(&rng) }
        // How many values go on each line, and what separates them.
        var groups: [Int] = []
        var left = values.count
        while left > 0 {
            let n = Pick.int(1...left, &rng)
            groups.append(n)
            left -= n
        }
        let separators = (0..<values.count).map { _ in Pick.element([",", ", ", " ,", " , ", ",\t", ",,"], &rng) }
        return (values, groups, separators)
    }

    @Test func randomSplitsGiveTheSameList() async {
        await propertyCheck(count: 300, input: Self.lists) { input in
            let (values, groups, separators) = input
            var lines = baseRegisterLines.filter { !$0.hasPrefix("Contact") }
            var index = 0
            var contactLines: [String] = []
            for (g, count) in groups.enumerated() {
                let slice = values[index..<index + count].enumerated().map {
                    $0.offset == 0 ? $0.element.text : separators[index + $0.offset] + $0.element.text
                }
                contactLines.append((g % 2 == 0 ? "Contact: " : "m:  ") + slice.joined())
                index += count
            }
            lines.insert(contentsOf: contactLines, at: 3)
            let request = try #require(parseOK(message(lines))?.request)
            let split = try request.headers.values(.contact)
            #expect(split.map(String.init) == values.map(\.text))
            let contacts = try request.contacts().contacts
            #expect(contacts.map(\.address.displayName) == values.map(\.name))
            #expect(contacts.count == values.count)
            for (contact, value) in zip(contacts, values) {
                #expect(structurallyEqual(contact.uri, value.uri), "\(contact.uri) vs \(value.uri)")
            }
            #expect(request.headers.all(.contact).count == groups.count)
        }
    }
}
