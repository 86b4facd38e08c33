#!/usr/bin/env bash
# BLF SUBSCRIBE fork load: a watcher SUBSCRIBEs to sip:~~in~0000DEADBEEF@example.net at a steady
# RATE; the proxy forks each to the 4 line appearances of that instrument (4 SIPp UAS processes,
# each answering 200) and returns the first 2xx. Prints p50/p99 of the watcher's response time
# and the server's CPU per SUBSCRIBE. UDP on 127.0.0.1; bounded by SECONDS.
#
#   Benchmarks/sip/fork-bench.sh [RATE=2000] [SECONDS=20]
#
# Switchboard: release build (.build-release), fresh data dir, `proxy.trustedPeers: [127.0.0.1]`
# (the SIPp watcher sends no credentials), log level notice.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/Benchmarks/sip"
RATE=${1:-2000}
SECS=${2:-20}
OUT=${OUT:-/tmp/switchboard-fork-bench}
rm -rf "$OUT"; mkdir -p "$OUT"
(cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
SB="$ROOT/.build-release/release/switchboard"
ADMIN=http://127.0.0.1:35182
printf 'proxy:\n  trustedPeers: [127.0.0.1]\n' >"$OUT/switchboard.yaml"
"$SB" serve --config "$OUT/switchboard.yaml" --data "$OUT/data" --domain example.net \
    --sip udp://127.0.0.1:35160 --admin "$ADMIN" --http off --log-level notice >"$OUT/switchboard.log" 2>&1 &
SB_PID=$!
PIDS=()
trap 'kill $SB_PID "${PIDS[@]}" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do "$SB" registrations --admin "$ADMIN" --json >/dev/null 2>&1 && break; sleep 0.2; done

# Four lines of one phone, each Contact a SIPp UAS.
: >"$OUT/lines.csv"; echo SEQUENTIAL >"$OUT/lines.csv"
for n in 1 2 3 4; do
    user=$((68 + n)); port=$((35170 + n))
    "$SB" user add "$user" --domain example.net --password "pw$user" --admin "$ADMIN" >/dev/null
    echo "$user;[authentication username=$user/0000DEADBEEF password=pw$user];$port" >>"$OUT/lines.csv"
    (cd "$OUT" && timeout $((SECS + 30)) sipp -sf "$HERE/scenarios/blf-line-uas.xml" -i 127.0.0.1 -p "$port" \
        -t u1 -nostdin -bg >/dev/null 2>&1) || true
done
pgrep -f "blf-line-uas.xml" >"$OUT/uas.pids" || true
mapfile -t PIDS <"$OUT/uas.pids"
(cd "$OUT" && timeout 30 sipp 127.0.0.1:35160 -sf "$HERE/scenarios/register-line.xml" -inf "$OUT/lines.csv" \
    -i 127.0.0.1 -p 35169 -t u1 -m 4 -r 10 -nostdin >/dev/null 2>&1)
"$SB" registrations --instrument 0000DEADBEEF --admin "$ADMIN" --json | python3 -c 'import json,sys; n=len(json.load(sys.stdin)); assert n == 4, n'

CPU0=$(awk '{print $14+$15}' "/proc/$SB_PID/stat")
(cd "$OUT" && timeout $((SECS + 20)) sipp 127.0.0.1:35160 -sf "$HERE/scenarios/blf-watcher-uac.xml" -i 127.0.0.1 \
    -p 35168 -t u1 -r "$RATE" -m $((RATE * SECS)) -timeout $((SECS + 10))s -nostdin -trace_rtt -rtt_freq 1 \
    -trace_stat -stf "$OUT/stat.csv" >"$OUT/watcher.out" 2>&1) || true
CPU1=$(awk '{print $14+$15}' "/proc/$SB_PID/stat")
TICKS=$(getconf CLK_TCK)
python3 - "$OUT" "$RATE" "$SECS" "$CPU0" "$CPU1" "$TICKS" <<'PY'
import csv, glob, sys
out, rate, secs, c0, c1, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rtts = []
for path in glob.glob(out + "/*_rtt.csv"):
    with open(path) as f:
        for row in csv.reader(f, delimiter=";"):
            try: rtts.append(float(row[1]))
            except (ValueError, IndexError): pass
rows = list(csv.reader(open(out + "/stat.csv"), delimiter=";"))
head, last = rows[0], rows[-1]
ok = int(last[head.index("SuccessfulCall(C)")]); failed = int(last[head.index("FailedCall(C)")])
rtts.sort()
pct = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))] if rtts else float("nan")
cpu_us = (c1 - c0) / ticks * 1e6 / max(1, ok)
print(f"fork: rate {rate}/s for {secs}s: {ok} ok, {failed} failed; p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms; "
      f"server CPU {cpu_us:.0f} us per SUBSCRIBE (4 branches)")
PY
