#!/usr/bin/env python3
"""A pipelined TCP stream with a framing error in the middle.

One write carries: OPTIONS 1, a CRLFCRLF keep-alive ping, OPTIONS 2, a request whose
Content-Length is not a number, OPTIONS 3. Expected: 200 for 1, a CRLF pong, 200 for 2, a 400
for the broken request, then the server closes the connection (it cannot know where the next
message starts), so OPTIONS 3 gets no answer. A new connection then works.
Usage: tcp_pipeline.py HOST PORT"""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import sipwire  # noqa: E402

host, port = sys.argv[1], int(sys.argv[2])
broken = sipwire.options(host, port, "TCP", cseq=9).replace(b"Content-Length: 0", b"Content-Length: zero")
stream = (
    sipwire.options(host, port, "TCP", cseq=1)
    + b"\r\n\r\n"
    + sipwire.options(host, port, "TCP", cseq=2)
    + broken
    + sipwire.options(host, port, "TCP", cseq=3)
)
sock = sipwire.connect(host, port)
sock.sendall(stream)
reader = sipwire.StreamReader(sock)
expected = [("200", "1 OPTIONS"), ("200", "2 OPTIONS"), ("400", "9 OPTIONS")]
statuses = []
while len(statuses) < len(expected):
    message = reader.next_message()
    if message is None:
        break
    start, headers, _ = message
    statuses.append((start.split(" ")[1], headers.get("cseq", "")))
print("responses on the pipelined connection:", statuses)
if statuses != expected:
    why = "closed" if reader.closed else "timed out" if reader.timed_out else "?"
    sys.exit(f"expected {expected} (reading stopped: {why})")
# The server closes 0.5 s after the framing error (framingErrorCloseDelay); a server that keeps
# the connection open fails here after CLOSE_BOUND seconds, whatever the socket timeout.
CLOSE_BOUND = 3.0
if not reader.wait_closed(within=CLOSE_BOUND):
    sys.exit(f"connection still open {CLOSE_BOUND} s after the framing error")
if reader.buffer.strip(b"\r\n"):
    sys.exit(f"bytes after the 400 (OPTIONS 3 must get no answer): {reader.buffer[:200]!r}")
print("connection closed by the server after the 400")

sock = sipwire.connect(host, port)
sock.sendall(sipwire.options(host, port, "TCP", cseq=4))
message = sipwire.StreamReader(sock).next_message()
if message is None or not message[0].startswith("SIP/2.0 200"):
    sys.exit(f"new connection: {message}")
print("new connection: 200 OK")
