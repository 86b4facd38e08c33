#!/usr/bin/env bash
# Graceful shutdown: SIGTERM the server in the middle of a registration burst, restart it on the
# same data dir, and check that every binding that got a 200 OK is still there, and that the log
# says when shutdown began and what was flushed (`shutting down`, `shutdown complete` with the
# store's counts, then `stopped`).
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
source "$SIPTESTS_DIR/lib/burst.sh"
USERS=${SIGTERM_USERS:-1500}
RATE=${SIGTERM_RATE:-500}
start_server register-sigterm
W="$RESULTS/register-sigterm.d"; mkdir -p "$W"

burst_users 30000 0000001 "$USERS"

start_burst "$USERS" "$RATE"
sleep 1.5
kill -TERM "$SERVER_PID"
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then echo "the server did not stop within 10 s of SIGTERM"; exit 1; fi
wait "$SERVER_PID" 2>/dev/null || true
wait "$SIPP" || true   # calls after the shutdown time out: expected

grep -q 'shutting down' "$SERVER_LOG" || { echo "no 'shutting down' line"; tail -5 "$SERVER_LOG"; exit 1; }
grep -E 'shutdown complete .*store.updates=[0-9]+' "$SERVER_LOG" || { echo "no 'shutdown complete' line with the store's counts"; tail -5 "$SERVER_LOG"; exit 1; }
# The transport stops reading at SIGTERM and closes only once the registrations it took in are
# committed and answered (`SIP transport drained`), so every REGISTER read before SIGTERM gets
# its 200.
grep -q 'SIP transport drained' "$SERVER_LOG" || { echo "no 'SIP transport drained' line"; grep -E 'unanswered|drain' "$SERVER_LOG" | tail -3; exit 1; }
grep -qE 'notice switchboard: stopped$' "$SERVER_LOG" || { echo "no 'stopped' line"; tail -3 "$SERVER_LOG"; exit 1; }

expect_acknowledged_restored SIGTERM register-sigterm-restart
