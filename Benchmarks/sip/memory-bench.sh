#!/usr/bin/env bash
# Memory per binding and restart time (issue 7): USERS users (default 100,000) register once at
# RATE/s (default 1,500) with the shared SIPp harness (../shared/bench), against a release build
# of switchboard at its defaults (SQLite in a fresh data dir, info logs). Prints:
#   rss: before N MB, peak M MB (+X KB/binding), after P MB (+Y KB/binding)
#   restart: answering after T s, rss R MB (+Z KB/binding), restored B bindings
# "answering" = the first OPTIONS answered after the process started (sipp probe every 20 ms).
# Loopback only; every SIPp run is bounded by the harness.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="${BENCH_DIR:-$ROOT/../shared/bench}"
USERS=${USERS:-100000}
RATE=${RATE:-1500}
OUT=${OUT:-/tmp/switchboard-memory-bench}
PORT=35060
ADMIN=http://127.0.0.1:35081
mkdir -p "$OUT"
CSV="$OUT/users-$USERS.csv"
[ -s "$CSV" ] || python3 "$BENCH/gen-users.py" --count "$USERS" --csv "$CSV" >/dev/null

(cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
SB="$ROOT/.build-release/release/switchboard"
rm -rf "$OUT/data"

rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
start_server() {
    "$SB" serve --data "$OUT/data" --domain example.net --sip "udp://127.0.0.1:$PORT" --sip "tcp://127.0.0.1:$PORT" \
        --admin "$ADMIN" --log-level "${SB_LOG_LEVEL:-info}" >>"$OUT/switchboard.log" 2>&1 &
    SB_PID=$!
}
wait_answering() { # prints seconds from $1 (epoch ns) to the first answered OPTIONS
    local t0=$1
    for _ in $(seq 1 1000); do
        if python3 - "$PORT" <<'PY' 2>/dev/null; then break; fi
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.02)
n = os.urandom(6).hex()  # a new transaction each probe (a reused branch would match the old one)
msg = ("OPTIONS sip:example.net SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:35099;branch=z9hG4bK" + n + ";rport\r\n"
       "From: <sip:probe@example.net>;tag=1\r\nTo: <sip:example.net>\r\nCall-ID: probe-" + n + "\r\nCSeq: 1 OPTIONS\r\n"
       "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
s.sendto(msg.encode(), ("127.0.0.1", int(sys.argv[1])))
data = s.recv(4096)
sys.exit(0 if data.startswith(b"SIP/2.0 200") else 1)
PY
    done
    echo "$(( ($(date +%s%N) - t0) / 1000000 ))"
}

start_server
trap 'kill $SB_PID 2>/dev/null || true' EXIT
wait_answering "$(date +%s%N)" >/dev/null
"$SB" user import "$CSV" --admin "$ADMIN" >/dev/null
before=$(rss_mb $SB_PID)
peak=$before
( while kill -0 $SB_PID 2>/dev/null; do r=$(rss_mb $SB_PID); echo "$r"; sleep 0.5; done ) >"$OUT/rss.log" &
SAMPLER=$!
SECS=$(( (USERS + RATE - 1) / RATE ))
USERS_CSV="$CSV" RESULTS_DIR="$OUT/register" SERVER_PID=$SB_PID KEEP_TRACES=0 \
    "$BENCH/run-register.sh" 127.0.0.1 $PORT "$RATE" "$SECS" 2>&1 | grep -E '^(register|cpu):' || true
sleep 2
kill $SAMPLER 2>/dev/null || true
peak=$(sort -n "$OUT/rss.log" | tail -1)
after=$(rss_mb $SB_PID)
bindings=$("$SB" registrations --admin "$ADMIN" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
per() { python3 -c "print(f'{($1 - $before) * 1024 / max(1, $bindings):.2f}')"; }
echo "rss: before $before MB, peak $peak MB (+$(per "$peak") KB/binding), after $after MB (+$(per "$after") KB/binding), $bindings bindings"

kill $SB_PID; wait $SB_PID 2>/dev/null || true
t0=$(date +%s%N)
start_server
ms=$(wait_answering "$t0")
sleep 1
rss=$(rss_mb $SB_PID)  # before the listing below, whose JSON would count as resident memory
restored=$("$SB" registrations --admin "$ADMIN" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "restart: answering after $ms ms, rss $rss MB (+$(per "$rss") KB/binding over the first start's baseline), restored $restored bindings"
