#!/usr/bin/env bash
# Protocol tests: the built `switchboard` binary against SIPp scenarios and real clients.
#
#   sip-tests/run.sh [TEST-NAME-FILTER]
#
# Builds the binary when SWITCHBOARD_BIN is not set (debug build, which `swift build` made
# already in CI), starts `switchboard serve` on free loopback ports with a temporary data dir,
# runs every test in sip-tests/tests/*.sh, stops the server by its PID and prints
#   sip-tests: N passed, M failed
# Exits non-zero on any failure. Everything talks to 127.0.0.1 only and has a time limit.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FILTER="${1:-}"
export SIPTESTS_DIR="$HERE"

if [ -z "${SWITCHBOARD_BIN:-}" ]; then
    (cd "$ROOT" && swift build --product switchboard >/dev/null) || { echo "sip-tests: build failed"; exit 1; }
    SWITCHBOARD_BIN="$ROOT/.build/debug/switchboard"
fi
export SWITCHBOARD_BIN
command -v sipp >/dev/null || { echo "sip-tests: sipp not installed (apt-get install sip-tester)"; exit 1; }

RESULTS="$HERE/results/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RESULTS"
export RESULTS
source "$HERE/lib/server.sh"

passed=0
failed=0
failures=()
for test in "$HERE"/tests/*.sh; do
    name="$(basename "$test" .sh)"
    if [ -n "$FILTER" ] && [[ "$name" != *"$FILTER"* ]]; then continue; fi
    log="$RESULTS/$name.log"
    start=$(date +%s)
    if timeout 300 bash "$test" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "  ok    $name ($(( $(date +%s) - start ))s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "  FAIL  $name ($(( $(date +%s) - start ))s) — log: $log"
        tail -n 25 "$log" | cut -c1-400 | sed 's/^/        /'
    fi
    stop_all_servers
done

echo "sip-tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
