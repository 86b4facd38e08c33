#!/usr/bin/env bash
# A real, independent client: baresip registers two lines as 69/0000DEADBEEF and
# 70/0000DEADBEEF over UDP, and with RFC 5626 outbound over TCP; the registrar records both
# lines on instrument 0000DEADBEEF.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
command -v baresip >/dev/null || { echo "baresip not installed (apt-get install baresip-core)"; exit 1; }
# The server runs on its DEFAULT authentication settings: a phone must register out of the box.
# (baresip 1.0.0 gives up on a 401 that also offers SHA-256 — "Register: Function not
# implemented" — which is why auth.algorithms defaults to [MD5]; do not set it here.)
unset SWITCHBOARD_AUTH_ALGORITHMS
start_server baresip
sb user add 69 --domain example.net --password secret69
sb user add 70 --domain example.net --password secret70
W="$RESULTS/baresip.d"; mkdir -p "$W"

# registered_lines TRANSPORT: waits (up to 10 s) until both lines are registered over TRANSPORT.
registered_lines() {
    for _ in $(seq 1 100); do
        sb registrations --instrument 0000DEADBEEF --json \
            | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if len([r for r in d if r["transport"]==sys.argv[1]])==2 else 1)' "$1" \
            && return 0
        sleep 0.1
    done
    echo "both lines not registered over $1 within 10 s"; return 1
}

bash "$SIPTESTS_DIR/lib/baresip-phone.sh" 127.0.0.1 "$SIP_PORT" udp 6 "$W/udp" &
PHONE=$!
registered_lines udp
sb registrations --instrument 0000DEADBEEF --json >"$W/udp.json"
json_check 'sorted(r["aor"] for r in d) == ["sip:69@example.net", "sip:70@example.net"]' <"$W/udp.json"
json_check 'all(r["instrument"] == "0000DEADBEEF" and r["transport"] == "udp" for r in d)' <"$W/udp.json"
json_check 'all("baresip" in (r["userAgent"] or "") for r in d)' <"$W/udp.json"
# When baresip quits it unregisters (Expires: 0): the bindings go away.
wait "$PHONE"
sb registrations --json | json_check 'd == []'

# Over TCP with RFC 5626 outbound: reg-id, +sip.instance and the connection (flow) recorded.
OUTBOUND=1 bash "$SIPTESTS_DIR/lib/baresip-phone.sh" 127.0.0.1 "$SIP_PORT" tcp 6 "$W/tcp" &
PHONE=$!
registered_lines tcp
sb registrations --instrument 0000deadbeef --json >"$W/tcp.json"
json_check 'len([r for r in d if r["transport"] == "tcp"]) == 2' <"$W/tcp.json"
json_check 'all(r["regId"] == 1 and r["connectionId"] is not None and r["instance"] for r in d if r["transport"] == "tcp")' <"$W/tcp.json"
wait "$PHONE"
stop_server
