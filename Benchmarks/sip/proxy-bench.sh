#!/usr/bin/env bash
# Proxied MESSAGE load against Switchboard and the Kamailio reference, back to back, with the
# SIPp harness in ../shared/bench (run-proxy.sh, see its README): 10,000 users registered once
# with the harness UAS as Contact, then MESSAGE sip:<user>@example.net through the proxy, each
# answered 200 by the UAS; UDP, 127.0.0.1:35060.
#
#   Benchmarks/sip/proxy-bench.sh [SECONDS] [SWITCHBOARD RATES] [KAMAILIO RATES] [REPEATS]
#   e.g. Benchmarks/sip/proxy-bench.sh 20 "8000 12000" "12000" 1
#
# Switchboard: release build (scratch path .build-release), fresh data dir in /tmp, the
# harness's users imported through the admin API, `proxy.trustedPeers: [127.0.0.1]` (the
# harness sends MESSAGE without credentials and needs loopback trusted, as Kamailio's config
# does), log level notice. Kamailio: kamailio/start.sh 4 0. Loopback only; every SIPp run is
# bounded by the harness.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="${BENCH_DIR:-$ROOT/../shared/bench}"
SECS=${1:-20}
SB_RATES=${2:-"8000 12000"}
KAM_RATES=${3:-"12000"}
REPEATS=${4:-1}
OUT=${OUT:-/tmp/switchboard-proxy-bench}
mkdir -p "$OUT"
USERS="$OUT/users.csv"
[ -s "$USERS" ] || python3 "$BENCH/gen-users.py" --csv "$USERS" >/dev/null

(cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
SB="$ROOT/.build-release/release/switchboard"
rm -rf "$OUT/data"
printf 'proxy:\n  trustedPeers: [127.0.0.1]\n' >"$OUT/switchboard.yaml"
"$SB" serve --config "$OUT/switchboard.yaml" --data "$OUT/data" --domain example.net \
    --sip udp://127.0.0.1:35060 --sip tcp://127.0.0.1:35060 \
    --admin http://127.0.0.1:35082 --log-level "${SB_LOG_LEVEL:-notice}" >"$OUT/switchboard.log" 2>&1 &
SB_PID=$!
trap 'kill $SB_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do "$SB" registrations --admin http://127.0.0.1:35082 --json >/dev/null 2>&1 && break; sleep 0.2; done
"$SB" user import "$USERS" --admin http://127.0.0.1:35082

run() { # label pid rate
    for i in $(seq 1 "$REPEATS"); do
        echo "== $1 rate $3 run $i"
        USERS_CSV="$USERS" RESULTS_DIR="$OUT/$1-$3-$i" SERVER_PID=$2 KEEP_TRACES=0 \
            "$BENCH/run-proxy.sh" 127.0.0.1 35060 "$3" "$SECS" 2>&1 | grep -E '^(latency|cpu|proxy):' || true
    done
}
for rate in $SB_RATES; do run switchboard $SB_PID "$rate"; done
kill $SB_PID; wait $SB_PID 2>/dev/null || true

if [ -n "$KAM_RATES" ]; then
    "$BENCH/kamailio/start.sh" 4 0 >/dev/null
    KAM_PID=$(cat "$BENCH/kamailio/run/kamailio.pid")
    trap '"$BENCH/kamailio/stop.sh" >/dev/null 2>&1 || true' EXIT
    sleep 1
    for rate in $KAM_RATES; do run kamailio "$KAM_PID" "$rate"; done
    "$BENCH/kamailio/stop.sh" >/dev/null
fi
