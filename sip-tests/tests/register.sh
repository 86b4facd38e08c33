#!/usr/bin/env bash
# Registrar over SIPp (UDP and TCP): two lines of one phone authenticate as 69/0000DEADBEEF and
# 70/0000DEADBEEF; `switchboard registrations --instrument 0000deadbeef --json` shows both with
# instrument 0000DEADBEEF. Then: wrong password and unknown user (401 again), refresh,
# unregister (Expires: 0), wildcard (Contact: *).
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server register
sb user add 69 --domain example.net --password secret69
sb user add 70 --domain example.net --password secret70
W="$RESULTS/register.d"; mkdir -p "$W"
UUID=00000000-0000-1000-8000-0000deadbeef

printf 'SEQUENTIAL\n69;[authentication username=69/0000deadbeef password=secret69]\n' >"$W/line1.csv"
printf 'SEQUENTIAL\n70;[authentication username=70/00:00:DE:AD:BE:EF password=secret70]\n' >"$W/line2.csv"
# Each line keeps its local port, so its Contact stays the same across runs (refresh, unregister).
LINE1_PORT=$(free_port 1); LINE2_PORT=$(free_port 1)
SIPP_PORT=$LINE1_PORT sipp_register line1-udp register-uac.xml u1 "$W/line1.csv" -set exp 3600 -set instance "$UUID"
SIPP_PORT=$LINE2_PORT sipp_register line2-tcp register-uac.xml t1 "$W/line2.csv" -set exp 3600 -set instance "$UUID"

sb registrations --instrument 0000deadbeef --json >"$W/both.json"
json_check 'sorted(r["aor"] for r in d) == ["sip:69@example.net", "sip:70@example.net"]' <"$W/both.json"
json_check 'all(r["instrument"] == "0000DEADBEEF" for r in d)' <"$W/both.json"
json_check 'sorted(r["transport"] for r in d) == ["tcp", "udp"]' <"$W/both.json"
json_check 'all(3500 <= r["expires"] <= 3600 and r["userAgent"] == "switchboard-sip-tests" for r in d)' <"$W/both.json"
json_check 'all(r["instance"] == "urn:uuid:00000000-0000-1000-8000-0000deadbeef" for r in d)' <"$W/both.json"
sb registrations --instrument 00:00:de:ad:be:ef --json | json_check 'len(d) == 2'
sb registrations --aor sip:69@example.net --json | json_check 'len(d) == 1 and d[0]["aor"] == "sip:69@example.net"'
sb registrations | grep -q 0000DEADBEEF

# Wrong password and unknown user: both get a fresh 401 challenge, nothing is registered.
printf 'SEQUENTIAL\n69;[authentication username=69/0000DEADBEEF password=wrong]\n' >"$W/wrong.csv"
printf 'SEQUENTIAL\n71;[authentication username=71/0000DEADBEEF password=whatever]\n' >"$W/unknown.csv"
sipp_register wrong-password register-refused-uac.xml u1 "$W/wrong.csv"
sipp_register unknown-user register-refused-uac.xml u1 "$W/unknown.csv"
sb registrations --json | json_check 'len(d) == 2'
grep -q 'register.auth_failed' "$SERVER_LOG"
if grep -qE 'secret69|secret70|password=wrong' "$SERVER_LOG"; then echo "a password reached the log"; exit 1; fi

# Refresh: a new registration of line 1 with a shorter interval updates the binding.
SIPP_PORT=$LINE1_PORT sipp_register refresh register-uac.xml u1 "$W/line1.csv" -set exp 600 -set instance "$UUID"
sb registrations --aor 69 --json | json_check 'len(d) == 1 and d[0]["expires"] <= 600'

# Unregister line 2 (Expires: 0).
SIPP_PORT=$LINE2_PORT sipp_register unregister register-uac.xml t1 "$W/line2.csv" -set exp 0 -set instance "$UUID"
sb registrations --json | json_check '[r["aor"] for r in d] == ["sip:69@example.net"]'

# Wildcard: Contact: * with Expires: 0 removes every binding of the AOR.
sipp_register wildcard register-wildcard-uac.xml u1 "$W/line1.csv"
sb registrations --json | json_check 'd == []'
stop_server
