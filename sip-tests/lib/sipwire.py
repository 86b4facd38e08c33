"""Minimal SIP-over-stream helpers for sip-tests (Python standard library only).

Used where SIPp cannot go: TLS (Debian's SIPp has no TLS) and byte-exact TCP streams.
Every socket has a timeout; every test is bounded.
"""
import socket
import ssl
import time
import uuid

TIMEOUT = 5.0


def options(host, port, transport, cseq=1, call_id=None, local="127.0.0.1:1"):
    call_id = call_id or uuid.uuid4().hex
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    return (
        f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {local};branch={branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{host}>;tag={uuid.uuid4().hex[:8]}\r\n"
        f"To: <sip:{host}:{port}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: {cseq} OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def connect(host, port, tls=False):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    raw = socket.socket(family, socket.SOCK_STREAM)
    raw.settimeout(TIMEOUT)
    raw.connect((host, port))
    if not tls:
        return raw
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed in tests
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context.wrap_socket(raw, server_hostname=None)


class StreamReader:
    """Splits a SIP byte stream into messages by Content-Length.

    A read ends in one of three ways, kept apart: data, the peer closing the connection
    (EOF or reset: ``closed``), or nothing within the socket timeout (``timed_out``). A timeout
    is never taken for a close.
    """

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.closed = False
        self.timed_out = False

    def _fill(self):
        """Reads once. False when the peer closed or the read timed out (see the flags)."""
        self.timed_out = False
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:  # TimeoutError; raised by TLS sockets too
            self.timed_out = True
            return False
        except (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            chunk = b""  # reset, or a TLS close without close_notify: the peer is gone
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def next_message(self):
        """The next message as (start line, headers dict lower-case, body), or None when the
        peer closed (``closed``) or nothing complete arrived within the timeout (``timed_out``)."""
        while True:
            self.buffer = self.buffer.lstrip(b"\r\n")
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buffer[:end].decode("utf-8", "replace").split("\r\n")
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers.setdefault(name.strip().lower(), value.strip())
                length = int(headers.get("content-length", headers.get("l", "0")))
                total = end + 4 + length
                while len(self.buffer) < total:
                    if not self._fill():
                        return None
                body = self.buffer[end + 4 : total]
                self.buffer = self.buffer[total:]
                return head[0], headers, body
            if self.closed or not self._fill():
                return None

    def wait_closed(self, within=TIMEOUT):
        """True when the peer closes the connection (EOF or reset) within `within` seconds;
        False when it is still open then. Bytes that arrive meanwhile are kept in ``buffer``."""
        deadline = time.monotonic() + within
        saved = self.sock.gettimeout()
        try:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.sock.settimeout(left)
                if not self._fill() and self.timed_out:
                    return False
            return True
        finally:
            self.sock.settimeout(saved)
