#!/usr/bin/env bash
# Instrument provisioning through the CLI (admin API) and the registrar's provisioned policy
# (auth.instrumentPolicy: provisioned, set through the environment): line 69 and 70 of
# 0000DEADBEEF register as 69/0000DEADBEEF; 71 on it is refused 403 (logged) until its line is
# added; `instrument show/list/line remove/remove` report the bumped configuration version.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
SWITCHBOARD_AUTH_INSTRUMENT_POLICY=provisioned start_server provisioning
for user in 69 70 71; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
W="$RESULTS/provisioning.d"; mkdir -p "$W"

sb instrument add 00:00:de:ad:be:ef --vendor Yealink --model T54W --line 69 --line 70@example.net | grep -q '69/0000DEADBEEF, 70/0000DEADBEEF'
sb instrument list --json | json_check 'len(d) == 1 and d[0]["mac"] == "0000DEADBEEF" and d[0]["vendor"] == "yealink"'
sb instrument show 0000deadbeef --json >"$W/show.json"
json_check '[l["authUser"] for l in d["lines"]] == ["69/0000DEADBEEF", "70/0000DEADBEEF"] and d["configurationVersion"] == 1' <"$W/show.json"
sb instrument show 0000deadbeef | grep -q 'sip:70@example.net'
sb instrument list | grep -q '69/0000DEADBEEF,70/0000DEADBEEF'
# An unknown user cannot get a line; an unknown instrument is a clear error.
if sb instrument line add 0000deadbeef 99 2>"$W/unknown.err"; then echo "line of unknown user accepted"; exit 1; fi
grep -q 'user 99@example.net does not exist' "$W/unknown.err"
if sb instrument show 0000deadbee0 2>"$W/missing.err"; then echo "unknown instrument shown"; exit 1; fi
grep -q 'not provisioned' "$W/missing.err"

printf 'SEQUENTIAL\n69;[authentication username=69/0000deadbeef password=secret69]\n' >"$W/line69.csv"
printf 'SEQUENTIAL\n71;[authentication username=71/0000DEADBEEF password=secret71]\n' >"$W/line71.csv"
sipp_register line69 register-uac.xml u1 "$W/line69.csv" -set exp 3600
sipp_register line71-refused register-forbidden-uac.xml u1 "$W/line71.csv"
wait_for_log 'register.not_provisioned.*sip.instrument=0000DEADBEEF'
sb registrations --json | json_check '[r["aor"] for r in d] == ["sip:69@example.net"]'

sb instrument line add 0000deadbeef 71 --display-name Reception | grep -q 'added line 3 (71/0000DEADBEEF)'
sipp_register line71 register-uac.xml u1 "$W/line71.csv" -set exp 3600
sb registrations --instrument 0000deadbeef --json | json_check 'sorted(r["aor"] for r in d) == ["sip:69@example.net", "sip:71@example.net"]'

sb instrument line remove 0000deadbeef 70 | grep -q 'removed line 2 from 0000DEADBEEF, version 3'
sb instrument show 0000deadbeef --json | json_check '[l["index"] for l in d["lines"]] == [1, 3] and d["lines"][1]["displayName"] == "Reception"'
sb instrument remove 0000deadbeef | grep -q 'removed instrument'
sb instrument list | grep -q 'no instruments'
# With the instrument gone, its lines may not register any more.
sipp_register line69-after-removal register-forbidden-uac.xml u1 "$W/line69.csv"
stop_server
