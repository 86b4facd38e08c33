#!/usr/bin/env python3
"""Exit 0 when an OPTIONS over UDP to HOST PORT gets any SIP response within 0.5 s."""
import socket
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import sipwire  # noqa: E402

host, port = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
sock.bind(("127.0.0.1", 0))
local = "127.0.0.1:%d" % sock.getsockname()[1]
sock.sendto(sipwire.options(host, port, "UDP", local=local), (host, port))
try:
    data, _ = sock.recvfrom(65536)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if data.startswith(b"SIP/2.0 ") else 1)
