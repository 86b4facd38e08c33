#!/usr/bin/env bash
# The configuration service (RFC 6011) end to end, with curl against the real binary: a Yealink
# phone provisioned with lines 69 and 70 fetches 0000deadbeef.cfg with digest credentials of
# line 69; the file names both lines' auth users (69/0000DEADBEEF, 70/0000DEADBEEF) and line 70's
# generated password, with which line 70 then registers (auth.instrumentPolicy: provisioned).
# Conditional GET gets 304; a line change gives a new ETag; unknown MACs and wrong passwords get
# the same 401; the RFC 6011 sfua-* form returns the same file; the common file needs no login.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
SWITCHBOARD_AUTH_INSTRUMENT_POLICY=provisioned start_server config-service
W="$RESULTS/config-service.d"; mkdir -p "$W"
sb user add 69 --domain example.net --password secret69 >/dev/null
sb user add 70 --domain example.net >"$W/user70.out"   # a generated password only the config carries
sb user add 71 --domain example.net --password secret71 >/dev/null
sb instrument add 0000DEADBEEF --vendor yealink --model T54W --line 69 --line 70 >/dev/null
BASE="https://127.0.0.1:$HTTP_PORT"
fetch() { curl -sk --max-time 10 "$@"; }

# Without credentials, with a wrong password, or for an unknown MAC: the same 401 challenge.
fetch -o "$W/anon.body" -D "$W/anon.head" "$BASE/0000deadbeef.cfg"
grep -q '^HTTP/1.1 401' "$W/anon.head"
grep -qi '^WWW-Authenticate: Digest realm="example.net"' "$W/anon.head"
fetch -o "$W/wrong.body" -w '%{http_code}' --digest -u 69/0000DEADBEEF:guess "$BASE/0000deadbeef.cfg" | grep -qx 401
fetch -o "$W/unknown.body" -w '%{http_code}' --digest -u 69/0000DEADBEE0:secret69 "$BASE/0000deadbee0.cfg" | grep -qx 401
cmp -s "$W/anon.body" "$W/unknown.body"

# The phone's file, as curl -k … with credentials fetches it.
fetch -D "$W/cfg.head" -o "$W/0000deadbeef.cfg" --digest -u 69/0000DEADBEEF:secret69 "$BASE/0000deadbeef.cfg"
grep -q '^HTTP/1.1 200' "$W/cfg.head"
grep -qx 'account.1.auth_name = 69/0000DEADBEEF' "$W/0000deadbeef.cfg"
grep -qx 'account.2.auth_name = 70/0000DEADBEEF' "$W/0000deadbeef.cfg"
grep -qx 'account.1.password = secret69' "$W/0000deadbeef.cfg"
grep -qi '^Cache-Control: private, max-age=3600' "$W/cfg.head"
grep -qi '^Last-Modified: ' "$W/cfg.head"
ETAG=$(grep -i '^ETag:' "$W/cfg.head" | cut -d' ' -f2 | tr -d '\r')
[ -n "$ETAG" ]
wait_for_log 'provisioning.ok.*provisioning.auth=69/0000DEADBEEF'
if grep -q 'secret69' "$SERVER_LOG"; then echo "a password reached the log"; exit 1; fi

# Conditional GET of the current copy → 304 with the same ETag.
fetch -o /dev/null -D "$W/304.head" --digest -u 69/0000DEADBEEF:secret69 -H "If-None-Match: $ETAG" "$BASE/0000deadbeef.cfg"
grep -q '^HTTP/1.1 304' "$W/304.head"
grep -qi "^ETag: $ETAG" "$W/304.head"

# The RFC 6011 form names the same phone by sfua-id (a version-1 UUID whose node is the MAC).
fetch -o "$W/sfua.cfg" --digest -u 69:secret69 \
    "$BASE/cfg?sfua-id=urn:uuid:00000000-0000-1000-8000-0000deadbeef&sfua-user=69&sfua-vendor=yealink.com&sfua-model=T54W"
cmp -s "$W/0000deadbeef.cfg" "$W/sfua.cfg"

# The common file holds no secret and needs no login.
fetch -o "$W/common.cfg" -w '%{http_code}' "$BASE/y000000000000.cfg" | grep -qx 200
if grep -q 'password' "$W/common.cfg"; then echo "common file holds a password"; exit 1; fi

# Line 70 registers with the password it got from its configuration.
PW70=$(sed -n 's/^account\.2\.password = //p' "$W/0000deadbeef.cfg")
[ -n "$PW70" ] && grep -q "$PW70" "$W/user70.out"
printf 'SEQUENTIAL\n70;[authentication username=70/0000DEADBEEF password=%s]\n' "$PW70" >"$W/line70.csv"
sipp_register line70 register-uac.xml u1 "$W/line70.csv" -set exp 3600
sb registrations --instrument 0000deadbeef --json | json_check '[r["aor"] for r in d] == ["sip:70@example.net"]'

# A line added to the phone changes the file: the old ETag gets a 200 with a new one.
sb instrument line add 0000deadbeef 71 >/dev/null
fetch -o "$W/after.cfg" -D "$W/after.head" --digest -u 69/0000DEADBEEF:secret69 -H "If-None-Match: $ETAG" "$BASE/0000deadbeef.cfg"
grep -q '^HTTP/1.1 200' "$W/after.head"
NEW_ETAG=$(grep -i '^ETag:' "$W/after.head" | cut -d' ' -f2 | tr -d '\r')
[ -n "$NEW_ETAG" ] && [ "$NEW_ETAG" != "$ETAG" ]
grep -qx 'account.3.auth_name = 71/0000DEADBEEF' "$W/after.cfg"
stop_server
