#!/usr/bin/env bash
# Durability: kill -9 the server in the middle of a registration burst, restart it on the same
# data dir, and check that every binding that got a 200 OK is still there (the registrar
# answers 200 only after the binding's group commit).
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
source "$SIPTESTS_DIR/lib/burst.sh"
USERS=${CRASH_USERS:-3000}
RATE=${CRASH_RATE:-500}
start_server register-crash
W="$RESULTS/register-crash.d"; mkdir -p "$W"
burst_users 20000 0000000 "$USERS"

# The burst, in the background; the server is killed about 2.5 s into it.
start_burst "$USERS" "$RATE"
sleep 2.5
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
wait "$SIPP" || true   # calls after the kill time out: expected

expect_acknowledged_restored "kill -9" register-crash-restart
