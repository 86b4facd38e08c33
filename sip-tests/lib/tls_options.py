#!/usr/bin/env python3
"""OPTIONS over TLS: the server answers 200 OK on the same connection (RFC 3261 §18.2.2).
Usage: tls_options.py HOST PORT"""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import sipwire  # noqa: E402

host, port = sys.argv[1], int(sys.argv[2])
sock = sipwire.connect(host, port, tls=True)
print("tls:", sock.version(), file=sys.stderr)
sock.sendall(sipwire.options(host, port, "TLS"))
reader = sipwire.StreamReader(sock)
message = reader.next_message()
if message is None:
    sys.exit("no response over TLS")
start, headers, _ = message
if not start.startswith("SIP/2.0 200"):
    sys.exit(f"unexpected response: {start}")
for needed in ("allow", "supported", "accept"):
    if needed not in headers:
        sys.exit(f"200 OK without {needed}")
print("OPTIONS over TLS:", start)
