#!/usr/bin/env bash
# REGISTER + digest load against Switchboard and the Kamailio reference, back to back, with the
# SIPp harness in ../shared/bench (see its README): 10,000 users, UDP, 127.0.0.1:35060.
#
#   Benchmarks/sip/register-bench.sh [SECONDS] [SWITCHBOARD RATES] [KAMAILIO RATES] [REPEATS]
#   e.g. Benchmarks/sip/register-bench.sh 10 "2000 3000" "6000 8000" 2
#
# Builds switchboard in release (scratch path .build-release), starts it with a fresh data dir
# in /tmp, imports the harness's users through the admin API, runs each rate REPEATS times
# (each run prints the harness's summary: ok/s, p50/p99, server CPU), stops it; then does the
# same for Kamailio (kamailio/start.sh 4 0: 4 UDP workers, location in memory).
# Loopback only; every SIPp run is bounded by the harness.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="${BENCH_DIR:-$ROOT/../shared/bench}"
SECS=${1:-10}
SB_RATES=${2:-"2000 3000"}
KAM_RATES=${3:-"6000 8000"}
REPEATS=${4:-2}
OUT=${OUT:-/tmp/switchboard-register-bench}
mkdir -p "$OUT"
[ -s "$BENCH/sipp/users.csv" ] || python3 "$BENCH/gen-users.py" --csv "$BENCH/sipp/users.csv" >/dev/null

(cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
SB="$ROOT/.build-release/release/switchboard"
rm -rf "$OUT/data"
"$SB" serve --data "$OUT/data" --domain example.net --sip udp://127.0.0.1:35060 --sip tcp://127.0.0.1:35060 \
    --admin http://127.0.0.1:35081 --log-level "${SB_LOG_LEVEL:-notice}" >"$OUT/switchboard.log" 2>&1 &
SB_PID=$!
trap 'kill $SB_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do "$SB" registrations --admin http://127.0.0.1:35081 --json >/dev/null 2>&1 && break; sleep 0.2; done
"$SB" user import "$BENCH/sipp/users.csv" --admin http://127.0.0.1:35081

run() { # label pid rate
    for i in $(seq 1 "$REPEATS"); do
        echo "== $1 rate $3 run $i"
        RESULTS_DIR="$OUT/$1-$3-$i" SERVER_PID=$2 KEEP_TRACES=0 "$BENCH/run-register.sh" 127.0.0.1 35060 "$3" "$SECS" 2>&1 \
            | grep -E '^(latency|cpu|register):' || true
    done
}
for rate in $SB_RATES; do run switchboard $SB_PID "$rate"; done
kill $SB_PID; wait $SB_PID 2>/dev/null || true

"$BENCH/kamailio/start.sh" 4 0 >/dev/null
KAM_PID=$(cat "$BENCH/kamailio/run/kamailio.pid")
trap '"$BENCH/kamailio/stop.sh" >/dev/null 2>&1 || true' EXIT
sleep 1
for rate in $KAM_RATES; do run kamailio "$KAM_PID" "$rate"; done
"$BENCH/kamailio/stop.sh" >/dev/null
