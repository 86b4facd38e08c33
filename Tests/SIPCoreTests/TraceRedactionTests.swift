import SIPCore
import Testing

@Suite("Trace redaction: digest responses never reach a trace")
struct TraceRedactionTests {
    static func redact(_ text: String) -> String {
        String(decoding: SIPTraceRedaction.redact(Array(text.utf8)), as: UTF8.self)
    }

    static let register =
        "REGISTER sip:example.net SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n"
        + "From: <sip:69@example.net>;tag=a\r\nTo: <sip:69@example.net>\r\nCall-ID: c1\r\nCSeq: 2 REGISTER\r\n"
        + "Authorization: Digest username=\"69/0000DEADBEEF\", realm=\"example.net\", nonce=\"n0nce\", "
        + "uri=\"sip:example.net;response=keep\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
        + "cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n"
        + "Content-Length: 4\r\n\r\nbody"

    @Test("Authorization: response= becomes \"…\"; nonce, cnonce, nc, username and a quoted uri stay; body kept")
    func authorization() {
        let redacted = Self.redact(Self.register)
        #expect(!redacted.contains("6629fae49393a05397450978507c4ef1"))
        #expect(redacted.contains("response=\"…\", algorithm=MD5"))
        #expect(redacted.contains("uri=\"sip:example.net;response=keep\""), "inside a quoted string: not a parameter")
        #expect(redacted.contains("nonce=\"n0nce\"") && redacted.contains("cnonce=\"0a4f113b\"") && redacted.contains("nc=00000001"))
        #expect(redacted.contains("username=\"69/0000DEADBEEF\""))
        #expect(redacted.hasPrefix("REGISTER sip:example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n"))
        #expect(redacted.hasSuffix("Content-Length: 4\r\n\r\nbody"))
    }

    @Test("Any spelling of the header and the parameter; token values; Proxy-Authorization; rspauth", arguments: [
        ("proxy-authorization: Digest RESPONSE = deadbeef,realm=x\r\n", "RESPONSE = \"…\",realm=x"),
        ("AUTHORIZATION:Digest response=deadbeef\r\n", "response=\"…\"\r\n"),
        ("Authentication-Info: rspauth=\"deadbeef\", cnonce=\"c\"\r\n", "rspauth=\"…\", cnonce=\"c\""),
        ("Proxy-Authentication-Info: qop=auth, rspauth=deadbeef\r\n", "rspauth=\"…\"\r\n"),
        ("Authorization: Digest username=\"u\",\r\n response=\"deadbeef\"\r\n", " response=\"…\"\r\n"),
        ("Authorization: Digest response=\"dead\\\"beef\", nc=1\r\n", "response=\"…\", nc=1"),
    ])
    func spellings(_ header: String, _ expected: String) {
        let message = "REGISTER sip:x SIP/2.0\r\nCall-ID: c\r\n" + header + "Content-Length: 0\r\n\r\n"
        let redacted = Self.redact(message)
        #expect(!redacted.contains("deadbeef") && !redacted.contains("beef"), "\(redacted)")
        #expect(redacted.contains(expected), "\(redacted)")
    }

    @Test("Other headers are left alone, a response= in them too; a message without secrets is unchanged")
    func untouched() {
        let notify =
            "NOTIFY sips:69@192.0.2.10:5061 SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK-2\r\n"
            + "WWW-Authenticate: Digest realm=\"example.net\", nonce=\"n\"\r\nX-Note: response=visible\r\n"
            + "Content-Type: message/http\r\nContent-Length: 19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
        #expect(Self.redact(notify) == notify)
        let response = "SIP/2.0 200 OK\nCall-ID: c\nContent-Length: 0\n\n"
        #expect(Self.redact(response) == response, "bare LF line ends too")
    }

    @Test("A body line that looks like a credential header is body, not a header")
    func bodyIsBody() {
        let message = "MESSAGE sip:x SIP/2.0\r\nContent-Length: 31\r\n\r\nAuthorization: response=\"abc\"\r\n"
        #expect(Self.redact(message) == message)
    }
}
