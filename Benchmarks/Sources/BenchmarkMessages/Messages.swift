/// The messages the benchmarks parse: what a desk phone and a registrar send each other, written
/// the way deployed phones write them (CRLF line ends, long names, one Authorization).
public enum Messages {
    /// A REGISTER refresh with Digest credentials (RFC 3261 §10.2, RFC 2617 qop=auth), about 600 bytes.
    public static let register: [UInt8] = Array((
        "REGISTER sip:example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1903262861;rport\r\n"
        + "From: <sip:69@example.com>;tag=2138457321\r\n"
        + "To: <sip:69@example.com>\r\n"
        + "Call-ID: 1829438561@192.168.1.23\r\n"
        + "CSeq: 2 REGISTER\r\n"
        + "Contact: <sip:69@192.168.1.23:5060>;expires=3600\r\n"
        + "Authorization: Digest username=\"69/0000DEADBEEF\", realm=\"example.com\", "
        + "nonce=\"MTcwMDAwMDAwMDo4ZjNk\", uri=\"sip:example.com\", "
        + "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
        + "cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n"
        + "Max-Forwards: 70\r\n"
        + "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
        + "Expires: 3600\r\n"
        + "Supported: path, outbound\r\n"
        + "Content-Length: 0\r\n"
        + "\r\n").utf8)

    /// The registrar's 200 OK to a REGISTER, listing three bindings (RFC 3261 §10.3 step 8).
    public static let registerOK: [UInt8] = Array((
        "SIP/2.0 200 OK\r\n"
        + "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1903262861;rport=5060;received=203.0.113.7\r\n"
        + "From: <sip:69@example.com>;tag=2138457321\r\n"
        + "To: <sip:69@example.com>;tag=as5f3a91c2\r\n"
        + "Call-ID: 1829438561@192.168.1.23\r\n"
        + "CSeq: 2 REGISTER\r\n"
        + "Contact: <sip:69@192.168.1.23:5060>;expires=3600;reg-id=1;"
        + "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>\"\r\n"
        + "Contact: <sip:69@192.168.1.40:5060;transport=tcp>;expires=1750;q=0.8\r\n"
        + "Contact: \"Desk phone\" <sips:69@[2001:db8::23]:5061;transport=tls>;expires=290;q=0.5\r\n"
        + "Date: Sat, 21 Nov 2026 10:15:42 GMT\r\n"
        + "Server: Switchboard 0.1.0\r\n"
        + "Supported: path, outbound\r\n"
        + "Content-Length: 0\r\n"
        + "\r\n").utf8)

    /// A dialog-event SUBSCRIBE from a busy-lamp-field phone (RFC 6665, RFC 4235).
    public static let subscribe: [UInt8] = Array((
        "SUBSCRIBE sip:70@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 192.168.1.23:5060;branch=z9hG4bK77a3e9f1;rport\r\n"
        + "From: \"Reception\" <sip:69@example.com>;tag=3418229710\r\n"
        + "To: <sip:70@example.com>\r\n"
        + "Call-ID: 2931883746@192.168.1.23\r\n"
        + "CSeq: 1 SUBSCRIBE\r\n"
        + "Contact: <sip:69@192.168.1.23:5060;transport=tcp>\r\n"
        + "Max-Forwards: 70\r\n"
        + "Event: dialog;include-session-description\r\n"
        + "Accept: application/dialog-info+xml\r\n"
        + "Expires: 1800\r\n"
        + "Allow-Events: dialog, message-summary, talk, hold\r\n"
        + "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
        + "Content-Length: 0\r\n"
        + "\r\n").utf8)
}
