#!/usr/bin/env bash
# Durability: kill -9 the server in the middle of a registration burst, restart it on the same
# data dir, and check that every binding that got a 200 OK is still there (the registrar
# answers 200 only after the binding's group commit).
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
USERS=${CRASH_USERS:-3000}
RATE=${CRASH_RATE:-500}
start_server register-crash
W="$RESULTS/register-crash.d"; mkdir -p "$W"

python3 - "$W" "$USERS" <<'PY'
import sys
w, n = sys.argv[1], int(sys.argv[2])
with open(f"{w}/users.txt", "w") as users, open(f"{w}/burst.csv", "w") as csv:
    users.write("SEQUENTIAL\n")
    csv.write("SEQUENTIAL\n")
    for i in range(n):
        user = 20000 + i
        users.write(f"{user};example.net;pw{user}\n")
        csv.write(f"{user};[authentication username={user}/0000000{i:05X} password=pw{user}]\n")
PY
sb user import "$W/users.txt"

# The burst, in the background; the server is killed about 2.5 s into it.
run_sipp burst register-uac.xml u1 -inf "$W/burst.csv" -m "$USERS" -r "$RATE" -set domain example.net \
    -set exp 3600 -set instance 00000000-0000-4000-8000-000000000000 -recv_timeout 3000 \
    -trace_logs -log_file "$W/burst.log" >"$W/burst.out" 2>&1 &
SIPP=$!
sleep 2.5
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
wait "$SIPP" || true   # calls after the kill time out: expected

grep -o 'REGISTERED sip:[0-9]*@example.net' "$W/burst.log" | sed 's/REGISTERED //' | sort -u >"$W/acknowledged.txt" || true
acknowledged=$(wc -l <"$W/acknowledged.txt")
echo "bindings acknowledged with 200 before the kill: $acknowledged of $USERS"
[ "$acknowledged" -ge 100 ] || { echo "too few registrations before the kill to test anything"; exit 1; }

start_server register-crash-restart
sb registrations --json >"$W/restored.json"
python3 - "$W/acknowledged.txt" "$W/restored.json" <<'PY'
import json, sys
acknowledged = set(open(sys.argv[1]).read().split())
restored = {r["aor"] for r in json.load(open(sys.argv[2]))}
missing = acknowledged - restored
print(f"restored {len(restored)} bindings; acknowledged {len(acknowledged)}; missing {len(missing)}")
if missing:
    print("lost after kill -9:", sorted(missing)[:20]); sys.exit(1)
PY
stop_server
