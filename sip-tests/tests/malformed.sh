#!/usr/bin/env bash
# Malformed input over UDP, TCP and TLS: 400 with a reason phrase, 505, garbage dropped (UDP) or
# the connection closed (TCP, TLS: framing errors), and the server keeps answering.
#   malformed-uac.xml            any transport: SIPp over UDP (u1) and TCP (t1)
#   malformed-datagram-uac.xml   UDP only: Content-Length beyond the datagram, a garbage datagram
#   lib/stream_malformed.py      TCP and TLS: no Content-Length, garbage; the server must close
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server malformed
run_sipp malformed-udp malformed-uac.xml u1
run_sipp malformed-tcp malformed-uac.xml t1
run_sipp malformed-datagram malformed-datagram-uac.xml u1
timeout 60 python3 "$SIPTESTS_DIR/lib/stream_malformed.py" 127.0.0.1 "$SIP_PORT" tcp
timeout 60 python3 "$SIPTESTS_DIR/lib/stream_malformed.py" 127.0.0.1 "$TLS_PORT" tls
kill -0 "$SERVER_PID"
stop_server
