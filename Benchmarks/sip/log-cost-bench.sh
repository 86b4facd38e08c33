#!/usr/bin/env bash
# What the per-registration info logs cost: REGISTER+digest load (the SIPp harness in
# ../shared/bench, as register-bench.sh) against Switchboard started with
#   notice       --log-level notice (registration events not written)
#   info-text    --log-level info   (two lines per registration, text)
#   info-json    --log-level info --log-format json
#   follow       info-text, and one `switchboard logs --follow --json` reader taking every event
#   follow-none  info-text, and one `switchboard logs --follow --instrument 0000CAFEBABE` reader
#                whose filter matches nothing (what the server-side filter costs)
# interleaved (notice, info-text, info-json, follow, follow-none, notice, …) so machine load
# drifts alike over all. CONFIGS="notice follow" runs only those.
#
#   Benchmarks/sip/log-cost-bench.sh [SECONDS] [RATE] [REPEATS]   e.g. 10 3000 3
#   SWITCHBOARD_BIN=/path/to/switchboard …   measures that binary instead of a release build
#
# Each run: a fresh data dir and server, the harness's 10,000 users imported, one load run;
# prints the harness's "register:" and "cpu:" lines and, per run, the server CPU per
# registration. Logs go to a file ($OUT/<config>-<n>/switchboard.log). Loopback only; ports
# SIP_PORT (35160), ADMIN_PORT (35181), LOCAL_PORT (SIPp, 35180).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="${BENCH_DIR:-$ROOT/../shared/bench}"
SECS=${1:-10}
RATE=${2:-3000}
REPEATS=${3:-3}
OUT=${OUT:-/tmp/switchboard-log-cost-bench}
# Ports of its own (SIP, admin, SIPp's), so it can run next to register-bench.sh.
SIP_PORT=${SIP_PORT:-35160}
ADMIN_PORT=${ADMIN_PORT:-35181}
export LOCAL_PORT=${LOCAL_PORT:-35180}
mkdir -p "$OUT"
[ -s "$BENCH/sipp/users.csv" ] || python3 "$BENCH/gen-users.py" --csv "$BENCH/sipp/users.csv" >/dev/null
if [ -n "${SWITCHBOARD_BIN:-}" ]; then
    SB=$SWITCHBOARD_BIN  # e.g. another build to compare with
else
    (cd "$ROOT" && swift build -c release --product switchboard --scratch-path .build-release >/dev/null)
    SB="$ROOT/.build-release/release/switchboard"
fi

one() { # config repeat flags...
    local config=$1 n=$2; shift 2
    local dir="$OUT/$config-$n"
    rm -rf "$dir"; mkdir -p "$dir"
    "$SB" serve --data "$dir/data" --domain example.net --sip "udp://127.0.0.1:$SIP_PORT" \
        --admin "http://127.0.0.1:$ADMIN_PORT" "$@" >"$dir/switchboard.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 50); do "$SB" registrations --admin "http://127.0.0.1:$ADMIN_PORT" --json >/dev/null 2>&1 && break; sleep 0.2; done
    "$SB" user import "$BENCH/sipp/users.csv" --admin "http://127.0.0.1:$ADMIN_PORT" >/dev/null
    local follower=""
    case $config in
    follow) "$SB" logs --follow --json --admin "http://127.0.0.1:$ADMIN_PORT" >"$dir/follow.out" 2>&1 & follower=$! ;;
    follow-none)
        "$SB" logs --follow --instrument 0000CAFEBABE --admin "http://127.0.0.1:$ADMIN_PORT" >"$dir/follow.out" 2>&1 &
        follower=$! ;;
    esac
    RESULTS_DIR="$dir/harness" SERVER_PID=$pid KEEP_TRACES=0 "$BENCH/run-register.sh" 127.0.0.1 "$SIP_PORT" "$RATE" "$SECS" \
        >"$dir/harness.out" 2>&1 || true
    [ -n "$follower" ] && { kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null || true; }
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local reg cpu okps pct
    reg=$(grep '^register:' "$dir/harness.out" || echo "register: (no result)")
    cpu=$(grep '^cpu:' "$dir/harness.out" || echo "cpu: ?")
    okps=$(sed -n 's/.* \([0-9.]*\) ok\/s.*/\1/p' <<<"$reg")
    pct=$(sed -n 's/^cpu: *server \([0-9.]*\)%.*/\1/p' <<<"$cpu")
    printf '%-11s run %d  %s  server %s%% of a core, %s us CPU per registration, %s log lines, %s followed\n' \
        "$config" "$n" "${reg#register: }" "${pct:-?}" \
        "$(awk -v p="${pct:-0}" -v r="${okps:-0}" 'BEGIN { if (r > 0) printf "%.0f", p * 1e4 / r; else print "?" }')" \
        "$(wc -l <"$dir/switchboard.log")" "$( [ -f "$dir/follow.out" ] && wc -l <"$dir/follow.out" || echo -)"
}

for n in $(seq 1 "$REPEATS"); do
    for config in ${CONFIGS:-notice info-text info-json follow follow-none}; do
        case $config in
        notice) one notice "$n" --log-level notice ;;
        info-text | follow | follow-none) one "$config" "$n" --log-level info ;;
        info-json) one info-json "$n" --log-level info --log-format json ;;
        esac
    done
done
