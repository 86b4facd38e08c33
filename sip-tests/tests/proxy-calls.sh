#!/usr/bin/env bash
# The proxy with INVITE and its refusals, driven by Python UAs over UDP (lib/sipua.py):
# INVITE forking to both lines of a phone with CANCEL (RFC 3261 §16.10), and 404, 480, 483, 482.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server proxy-calls
for user in 69 70 71 72 73; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
timeout 60 python3 "$SIPTESTS_DIR/lib/proxy_invite_cancel.py" "$SIP_PORT"
timeout 60 python3 "$SIPTESTS_DIR/lib/proxy_errors.py" "$SIP_PORT"
# The server writes its log lines in batches: give the last ones a moment.
wait_log() { for _ in $(seq 1 30); do grep -q "$1" "$SERVER_LOG" && return 0; sleep 0.1; done; echo "no '$1' in the log"; return 1; }
wait_log 'event=invite.cancelled'
wait_log 'event=message.loop_detected'
stop_server
