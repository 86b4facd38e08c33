#!/usr/bin/env bash
# switchboard logs --follow --instrument 0000DEADBEEF: the operator follows one phone. Line 70 of
# another phone (0000DEADBEE1) registers, then line 69 of 0000DEADBEEF; the stream shows 69's
# register.ok with instrument=0000DEADBEEF and nothing of the other phone. The same records
# come back afterwards with --since (the server's ring of recent records), and --json prints one
# object per line. Filters are checked locally: a malformed MAC is refused with exit 64.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
W="$RESULTS/logs-follow.d"; mkdir -p "$W"
printf 'SEQUENTIAL\n69;[authentication username=69/0000deadbeef password=secret69]\n' >"$W/line69.csv"
printf 'SEQUENTIAL\n70;[authentication username=70/00:00:de:ad:be:e1 password=secret70]\n' >"$W/line70.csv"

# Notice-level log file: the follower still gets the info events (the tap keeps info).
start_server logs-follow --log-level notice
sb user add 69 --domain example.net --password secret69 >/dev/null
sb user add 70 --domain example.net --password secret70 >/dev/null

"$SWITCHBOARD_BIN" logs --follow --instrument 00:00:de:ad:be:ef --admin "http://127.0.0.1:$ADMIN_PORT" \
    >"$W/follow.txt" 2>"$W/follow.err" &
FOLLOWER=$!
trap 'kill $FOLLOWER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    sb status --json | json_check 'd["logs"]["subscribers"] == 1' >/dev/null 2>&1 && break
    sleep 0.1
done
sb status --json | json_check 'd["logs"]["subscribers"] == 1'

sipp_register logs-follow-70 register-uac.xml u1 "$W/line70.csv" -set exp 3600 \
    -set instance 00000000-0000-4000-8000-000000000070
sipp_register logs-follow-69 register-uac.xml u1 "$W/line69.csv" -set exp 3600 \
    -set instance 00000000-0000-1000-8000-0000deadbeef
for _ in $(seq 1 50); do grep -q 'register.ok' "$W/follow.txt" && break; sleep 0.1; done
kill $FOLLOWER; wait $FOLLOWER 2>/dev/null || true
echo "--- the follower saw:"; cat "$W/follow.txt"
grep -E ' info switchboard.registrar: register.ok .*sip.aor=sip:69@example.net' "$W/follow.txt" | grep -q 'sip.instrument=0000DEADBEEF' \
    || { echo "no register.ok of 69 with instrument=0000DEADBEEF on the stream"; exit 1; }
if grep -qiE 'DEADBEE1|sip:70@' "$W/follow.txt"; then echo "the other phone's events leaked into the stream"; exit 1; fi
if grep -q 'register.ok' "$SERVER_LOG"; then echo "the notice-level log file got info events"; exit 1; fi

# Afterwards: the recent records, by the other phone, as JSON lines.
sb logs --since 5m --instrument 0000DEADBEE1 --json >"$W/recent.jsonl"
python3 - "$W/recent.jsonl" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ok = [r for r in records if r["msg"] == "register.ok"]
assert ok and ok[0]["meta"]["sip.aor"] == "sip:70@example.net", records
assert all(r["meta"].get("sip.instrument", r["meta"].get("instrument")) == "0000DEADBEE1" for r in records), records
print(f"--since: {len(records)} records of 0000DEADBEE1, register.ok of sip:70@example.net among them")
PY

# Local checks: non-zero exit, the reason, the subcommand's usage.
for bad in zz:zz:zz 0000DEADBEE ''; do
    if sb logs --instrument "$bad" >"$W/bad.out" 2>&1; then echo "logs --instrument '$bad' was accepted"; exit 1; fi
    grep -qE "not a MAC address|needs a value" "$W/bad.out" || { cat "$W/bad.out"; exit 1; }
    if sb registrations --instrument "$bad" >"$W/bad.out" 2>&1; then echo "registrations --instrument '$bad' was accepted"; exit 1; fi
    grep -q "Usage: switchboard registrations" "$W/bad.out" || { echo "not the subcommand's usage:"; cat "$W/bad.out"; exit 1; }
done
stop_server
grep -q 'shutting down' "$SERVER_LOG" && grep -q 'shutdown complete' "$SERVER_LOG" \
    || { echo "no shutdown lines in the log"; tail -5 "$SERVER_LOG"; exit 1; }
echo "logs --follow --instrument: only 0000DEADBEEF's events; recent records replayed; bad MACs refused"
