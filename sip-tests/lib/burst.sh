# Helpers for the durability tests (register-crash, register-sigterm): a burst of registrations
# that is interrupted, then the check that every acknowledged binding survived. Sourced after
# server.sh; W is the test's work directory.

# burst_users FIRST-USER MAC-PREFIX COUNT: provisions COUNT users (FIRST-USER…) through the CLI
# and writes W/burst.csv, one REGISTER per user as USER/MAC-PREFIX+index (hex).
burst_users() {
    python3 - "$W" "$1" "$2" "$3" <<'PY'
import sys
w, first, prefix, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open(f"{w}/users.txt", "w") as users, open(f"{w}/burst.csv", "w") as csv:
    users.write("SEQUENTIAL\n")
    csv.write("SEQUENTIAL\n")
    for i in range(n):
        user = first + i
        users.write(f"{user};example.net;pw{user}\n")
        csv.write(f"{user};[authentication username={user}/{prefix}{i:05X} password=pw{user}]\n")
PY
    sb user import "$W/users.txt"
}

# start_burst COUNT RATE: the burst in the background (SIPp's PID in SIPP); each acknowledged
# registration is logged to W/burst.log.
start_burst() {
    run_sipp burst register-uac.xml u1 -inf "$W/burst.csv" -m "$1" -r "$2" -set domain example.net \
        -set exp 3600 -set instance 00000000-0000-4000-8000-000000000000 -recv_timeout 3000 \
        -trace_logs -log_file "$W/burst.log" >"$W/burst.out" 2>&1 &
    SIPP=$!
}

# expect_acknowledged_restored WHAT RESTART-NAME: restarts the server on the same data dir and
# fails unless every binding acknowledged with 200 (W/burst.log) is there again.
expect_acknowledged_restored() {
    grep -o 'REGISTERED sip:[0-9]*@example.net' "$W/burst.log" | sed 's/REGISTERED //' | sort -u >"$W/acknowledged.txt" || true
    local acknowledged
    acknowledged=$(wc -l <"$W/acknowledged.txt")
    echo "bindings acknowledged with 200 before $1: $acknowledged"
    [ "$acknowledged" -ge 100 ] || { echo "too few registrations before $1 to test anything"; return 1; }
    start_server "$2"
    sb registrations --json >"$W/restored.json"
    python3 - "$W/acknowledged.txt" "$W/restored.json" "$1" <<'PY'
import json, sys
acknowledged = set(open(sys.argv[1]).read().split())
restored = {r["aor"] for r in json.load(open(sys.argv[2]))}
missing = acknowledged - restored
print(f"restored {len(restored)} bindings; acknowledged {len(acknowledged)}; missing {len(missing)}")
if missing:
    print(f"lost after {sys.argv[3]}:", sorted(missing)[:20]); sys.exit(1)
PY
    stop_server
}
