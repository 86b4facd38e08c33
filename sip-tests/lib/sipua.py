"""A tiny SIP user agent over UDP for the proxy sip-tests (Python standard library only):
requests and responses as text, digest answers (RFC 7616, MD5, qop=auth), and waiting for a
message with a time limit. Used where a SIPp scenario cannot keep several dialogs and Via
stacks apart (a UAS answering an INVITE after its CANCEL; a caller that is also checked)."""
import hashlib
import re
import socket
import uuid

TIMEOUT = 5.0


class Message:
    def __init__(self, data):
        text = data.decode("utf-8", "replace")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.start = lines[0]
        self.headers = []  # (lower-case name, value, line)
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip(), line))
        parts = self.start.split(" ", 2)
        self.is_response = parts[0].startswith("SIP/")
        self.status = int(parts[1]) if self.is_response else None
        self.method = None if self.is_response else parts[0]
        self.uri = None if self.is_response else parts[1]

    def get(self, name):
        for n, v, _ in self.headers:
            if n == name.lower():
                return v
        return None

    def lines(self, name):
        return [line for n, _, line in self.headers if n == name.lower()]

    def __repr__(self):
        return self.start


class UA:
    def __init__(self, proxy_port, name):
        self.proxy = ("127.0.0.1", proxy_port)
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(TIMEOUT)
        self.backlog = []

    @property
    def hostport(self):
        return f"127.0.0.1:{self.port}"

    def send(self, text, to=None):
        self.sock.sendto(text.encode(), to or self.proxy)

    def wait(self, match, timeout=TIMEOUT, what="a message"):
        """The first message (kept back or new) for which match(msg) is true; others are kept."""
        for m in self.backlog:
            if match(m):
                self.backlog.remove(m)
                return m
        self.sock.settimeout(timeout)
        while True:
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                raise AssertionError(f"{self.name}: no {what} within {timeout}s; kept: {self.backlog}")
            m = Message(data)
            if match(m):
                return m
            self.backlog.append(m)

    def response(self, method, status=None, timeout=TIMEOUT):
        def ok(m):
            cseq = m.get("CSeq") or ""
            return m.is_response and cseq.endswith(method) and (status is None or m.status == status) and m.status >= 200
        return self.wait(ok, timeout, f"final {status or ''} response to {method}")

    def request(self, method, timeout=TIMEOUT):
        return self.wait(lambda m: m.method == method, timeout, f"{method}")

    def quiet(self, seconds):
        """Asserts that nothing but retransmitted responses arrive for `seconds`."""
        self.sock.settimeout(seconds)
        try:
            data, _ = self.sock.recvfrom(65535)
        except socket.timeout:
            return
        raise AssertionError(f"{self.name}: unexpected {Message(data)}")

    def answer(self, request, status, reason, to_tag=None, extra=()):
        """A response to `request` (its Vias, From, To (+tag), Call-ID, CSeq, Record-Route)."""
        lines = [f"SIP/2.0 {status} {reason}"] + request.lines("Via")
        lines.append(request.lines("From")[0])
        to = request.lines("To")[0]
        if to_tag and ";tag=" not in to:
            to += f";tag={to_tag}"
        lines += [to, request.lines("Call-ID")[0], request.lines("CSeq")[0]] + request.lines("Record-Route")
        lines += list(extra) + ["Content-Length: 0", "", ""]
        self.send("\r\n".join(lines))


def branch():
    return "z9hG4bK" + uuid.uuid4().hex[:16]


def digest(challenge, method, uri, username, password):
    """The Proxy-Authorization/Authorization value answering a Digest challenge (MD5, qop=auth)."""
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    realm, nonce = params["realm"], params["nonce"]
    ha1 = hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    cnonce, nc = uuid.uuid4().hex[:8], "00000001"
    response = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
    value = (f'Digest username="{username}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
             f'response="{response}", algorithm=MD5, qop=auth, nc={nc}, cnonce="{cnonce}"')
    if "opaque" in params:
        value += f', opaque="{params["opaque"]}"'
    return value


def request(ua, method, uri, from_user, to=None, call_id=None, cseq=1, extra=(), via_branch=None, to_tag=None,
            from_tag="ft", max_forwards=70):
    call_id = call_id or uuid.uuid4().hex
    to = to or f"<{uri}>"
    if to_tag:
        to += f";tag={to_tag}"
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {ua.hostport};branch={via_branch or branch()};rport",
        f"Max-Forwards: {max_forwards}",
        f"From: <sip:{from_user}@example.net>;tag={from_tag}",
        f"To: {to}",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:{from_user}@{ua.hostport}>",
    ] + list(extra) + ["Content-Length: 0", "", ""]
    return "\r\n".join(lines)


def register(ua, user, auth_user, password, extra=(), contact=None):
    """REGISTER sip:example.net for user with digest; returns the 200."""
    call_id = uuid.uuid4().hex
    headers = [f"Contact: {contact or f'<sip:{user}@{ua.hostport}>'}", "Expires: 600"] + list(extra)
    def send(cseq, auth=()):
        text = request(ua, "REGISTER", "sip:example.net", user, to=f"<sip:{user}@example.net>", call_id=call_id,
                       cseq=cseq, extra=list(auth) + headers)
        # The Contact of request() is replaced by the one given here.
        text = text.replace(f"Contact: <sip:{user}@{ua.hostport}>\r\n", "", 1)
        ua.send(text)
        return ua.response("REGISTER")
    first = send(1)
    assert first.status in (401, 407), f"REGISTER: {first.start}"
    header = "WWW-Authenticate" if first.status == 401 else "Proxy-Authenticate"
    answer = "Authorization" if first.status == 401 else "Proxy-Authorization"
    value = digest(first.get(header), "REGISTER", "sip:example.net", auth_user, password)
    final = send(2, [f"{answer}: {value}"])
    assert final.status == 200, f"REGISTER: {final.start}"
    return final
