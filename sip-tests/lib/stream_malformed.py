#!/usr/bin/env python3
"""Malformed input that only a stream transport (TCP, TLS) can carry (RFC 3261 §18.3).

1. A request without Content-Length: answered 400 with a reason phrase naming Content-Length,
   then the server closes the connection (it cannot know where the next message starts).
2. Garbage ending in CRLFCRLF: no answer (nothing to answer), and the connection is closed.
3. A new connection is served.
Each close must happen within CLOSE_BOUND seconds (the server waits 0.5 s after a framing error
so earlier answers are written); a server that keeps the connection open fails.
Usage: stream_malformed.py HOST PORT tcp|tls"""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import sipwire  # noqa: E402

host, port, transport = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tls = transport == "tls"
via = "TLS" if tls else "TCP"
CLOSE_BOUND = 3.0


def expect_close(reader, case):
    if not reader.wait_closed(within=CLOSE_BOUND):
        sys.exit(f"{transport} {case}: connection still open {CLOSE_BOUND} s later")
    if reader.buffer.strip(b"\r\n"):
        sys.exit(f"{transport} {case}: unexpected bytes before the close: {reader.buffer[:200]!r}")


# 1. No Content-Length.
request = sipwire.options(host, port, via, cseq=1).replace(b"Content-Length: 0\r\n", b"")
sock = sipwire.connect(host, port, tls=tls)
sock.sendall(request)
reader = sipwire.StreamReader(sock)
message = reader.next_message()
if message is None:
    sys.exit(f"{transport} no Content-Length: no answer ({'closed' if reader.closed else 'timed out'})")
start = message[0]
if not start.startswith("SIP/2.0 400 ") or "Content-Length" not in start:
    sys.exit(f"{transport} no Content-Length: expected a 400 naming Content-Length, got {start!r}")
print(f"{transport} no Content-Length:", start)
expect_close(reader, "no Content-Length")

# 2. Garbage.
sock = sipwire.connect(host, port, tls=tls)
sock.sendall(b"this is not a SIP message at all\r\n\r\n")
reader = sipwire.StreamReader(sock)
expect_close(reader, "garbage")
print(f"{transport} garbage: closed without an answer")

# 3. Still serving.
sock = sipwire.connect(host, port, tls=tls)
sock.sendall(sipwire.options(host, port, via, cseq=2))
message = sipwire.StreamReader(sock).next_message()
if message is None or not message[0].startswith("SIP/2.0 200"):
    sys.exit(f"{transport} new connection: {message}")
print(f"{transport} new connection: 200 OK")
