#!/usr/bin/env bash
# How many OPTIONS/s the server answers over UDP (issue 3): SIPp sends OPTIONS to the server at
# RATE for SECONDS from one socket; reports answered/s, failures and the server's CPU time.
#
#   Benchmarks/sip/options-bench.sh [SECONDS] [RATES]     e.g.  10 "5000 10000 15000"
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECS=${1:-10}
RATES=${2:-"5000 10000 15000"}
OUT=${OUT:-/tmp/switchboard-options-bench}
mkdir -p "$OUT"
(cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
SB="$ROOT/.build-release/release/switchboard"
rm -rf "$OUT/data"
"$SB" serve --data "$OUT/data" --domain example.net --sip udp://127.0.0.1:35060 --admin http://127.0.0.1:35081 \
    --log-level "${SB_LOG_LEVEL:-info}" >"$OUT/switchboard.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
sleep 2
cpu_ns() { awk '{s+=$1} END {printf "%.0f\n", s}' /proc/"$PID"/task/*/schedstat; }
for rate in $RATES; do
    calls=$((rate * SECS))
    before=$(cpu_ns); start=$(date +%s.%N)
    timeout $((SECS * 3 + 30)) sipp 127.0.0.1:35060 -sf "$ROOT/sip-tests/scenarios/options-uac.xml" -t u1 \
        -i 127.0.0.1 -p 35090 -r "$rate" -m "$calls" -l $((rate * 2)) -timeout $((SECS * 3))s \
        -recv_timeout 5000 -nostdin -trace_stat -stf "$OUT/stat-$rate.csv" >"$OUT/sipp-$rate.out" 2>&1 || true
    end=$(date +%s.%N); after=$(cpu_ns)
    ok=$(grep -oE 'Successful call +\| +[0-9]+ +\| +[0-9]+' "$OUT/sipp-$rate.out" | awk '{print $NF}' | tail -1)
    failed=$(grep -oE 'Failed call +\| +[0-9]+ +\| +[0-9]+' "$OUT/sipp-$rate.out" | awk '{print $NF}' | tail -1)
    python3 - "$rate" "${ok:-0}" "${failed:-0}" "$start" "$end" "$before" "$after" <<'PY'
import sys
rate, ok, failed, start, end, before, after = sys.argv[1:]
ok, failed = int(ok), int(failed)
elapsed = float(end) - float(start)
cpu = (int(after) - int(before)) / 1e9
print(f"options: offered {rate}/s, {ok} ok, {failed} failed, {ok/elapsed:.0f} ok/s, "
      f"server CPU {cpu/elapsed*100:.0f}% of one core, {cpu/max(ok,1)*1e6:.1f} us per OPTIONS")
PY
done
