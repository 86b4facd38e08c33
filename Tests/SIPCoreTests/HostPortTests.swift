import SIPCore
import Testing

@Suite("host[:port] authorities") struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:5060", "127.0.0.1", 5060 as Int?), ("example.net", "example.net", nil),
        ("[::1]:8080", "::1", 8080), ("[fe80::1%eth0]", "fe80::1%eth0", nil), ("host:0", "host", 0),
    ])
    func parses(_ text: String, _ host: String, _ port: Int?) throws {
        let parsed = try SIPHostPort(parsing: Substring(text))
        #expect(parsed.host == host && parsed.port == port)
        #expect(parsed.isIPv6 == host.contains(":"))
    }

    @Test(arguments: [
        ("[::1", "unclosed IPv6 bracket"), ("::1", "IPv6 addresses need brackets"), ("[host]", "brackets are only"),
        ("", "missing host"), ("h:65536", "invalid port"), ("h:", "invalid port"), ("h o", "invalid host"),
        ("[::1]x", "expected ':'"),
    ])
    func refuses(_ text: String, _ reason: String) {
        #expect { try SIPHostPort(parsing: Substring(text)) } throws: { error in
            (error as? SIPParseError)?.reason.contains(reason) ?? false
        }
    }
}
