#!/usr/bin/env bash
# OPTIONS to the server itself over UDP, TCP (SIPp) and TLS (Python ssl; Debian's SIPp has no TLS).
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server options
run_sipp options-udp options-uac.xml u1
run_sipp options-tcp options-uac.xml t1
timeout 30 python3 "$SIPTESTS_DIR/lib/tls_options.py" 127.0.0.1 "$TLS_PORT"
stop_server
