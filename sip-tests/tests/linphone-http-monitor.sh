#!/usr/bin/env bash
# http-monitor (RFC 5989) with a real, independent SIP client: liblinphone (Debian liblinphone10,
# driven headless by lib/linphone_client.py through ctypes). curl fetches the phone's file and
# its Link: <sips:~~cf~MAC@domain>;rel="monitor"; liblinphone SUBSCRIBEs to that URI over TLS
# (self-signed server cert, not verified) as 69/0000DEADBEEF after the 401 challenge; its first
# NOTIFY (message/http) carries the ETag the GET returned; `switchboard instrument line add …`
# brings, within 5 s, a NOTIFY whose ETag equals a new GET's; on SIGTERM the client
# un-SUBSCRIBEs and exits 0, and the server logs the subscription and the unsubscription.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
python3 -c 'import ctypes; ctypes.CDLL("liblinphone.so.10")' 2>/dev/null \
    || { echo "liblinphone.so.10 missing: apt-get install liblinphone10"; exit 1; }
W="$RESULTS/linphone-http-monitor.d"; mkdir -p "$W"
start_server linphone-http-monitor
for user in 69 70 71; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
sb instrument add 0000DEADBEEF --vendor yealink --line 69 --line 70 >/dev/null
BASE="https://127.0.0.1:$HTTP_PORT"
get_etag() { curl -sk --max-time 10 -o /dev/null -D - --digest -u 69/0000DEADBEEF:secret69 "$BASE/0000deadbeef.cfg" | sed -n 's/^[Ee][Tt]ag: //p' | tr -d '\r'; }

curl -sk --max-time 10 -o /dev/null -D "$W/get.head" --digest -u 69/0000DEADBEEF:secret69 "$BASE/0000deadbeef.cfg"
MONITOR=$(sed -n 's/^[Ll]ink: <\([^>]*\)>;rel="monitor".*/\1/p' "$W/get.head" | tr -d '\r')
[ "$MONITOR" = "sips:~~cf~0000DEADBEEF@example.net" ] || { echo "monitor link: '$MONITOR'"; exit 1; }
ETAG1=$(sed -n 's/^[Ee][Tt]ag: //p' "$W/get.head" | tr -d '\r')
[ -n "$ETAG1" ] || { echo "no ETag in the GET"; cat "$W/get.head"; exit 1; }

OUT="$W/client.out"
timeout 45 python3 "$SIPTESTS_DIR/lib/linphone_client.py" --server "127.0.0.1:$TLS_PORT" --transport tls \
    --user 69 --auth-user 69/0000DEADBEEF --password secret69 --domain example.net \
    --subscribe "$MONITOR" --event http-monitor --expires 3600 --seconds 40 \
    --workdir "$W/linphone" >"$OUT" 2>&1 &
CLIENT=$!
trap 'kill -TERM $CLIENT 2>/dev/null || true' EXIT

# notified ETAG TENTHS: waits (up to TENTHS/10 s) for a NOTIFY line carrying ETAG; prints it
# (diagnostics on stderr, as callers capture stdout).
notified() {
    for _ in $(seq 1 "$2"); do
        grep -F "ETag: $1" "$OUT" | grep -m1 '^NOTIFY event=http-monitor ' && return 0
        kill -0 "$CLIENT" 2>/dev/null || break
        sleep 0.1
    done
    { echo "no NOTIFY with ETag $1 within $(($2 / 10)) s; client output:"; cat "$OUT"
      echo "liblinphone log: $W/linphone/linphone.log"; } >&2; return 1
}

INITIAL=$(notified "$ETAG1" 150)
[ "$(grep -m1 '^NOTIFY ' "$OUT")" = "$INITIAL" ] || { echo "the first NOTIFY is not the GET's:"; cat "$OUT"; exit 1; }
echo "$INITIAL" | grep -qE '^NOTIFY event=http-monitor state=active;expires=[0-9]+ type=message/http body=HTTP/1.1 200 OK\\r\\n' \
    || { echo "initial NOTIFY: $INITIAL"; exit 1; }
wait_for_log 'subscribe.ok.*sip.auth_user=69/0000DEADBEEF.*sip.transport=tls'

START=$(date +%s%N)
sb instrument line add 0000deadbeef 71 >/dev/null
ETAG2=$(get_etag)
[ -n "$ETAG2" ] && [ "$ETAG2" != "$ETAG1" ] || { echo "the GET's ETag did not change: '$ETAG2'"; exit 1; }
CHANGED=$(notified "$ETAG2" 50)
ELAPSED_MS=$((($(date +%s%N) - START) / 1000000))
echo "$CHANGED" | grep -qE '^NOTIFY event=http-monitor state=active;expires=[0-9]+ type=message/http ' \
    || { echo "changed NOTIFY: $CHANGED"; exit 1; }
echo "change notified to liblinphone in ${ELAPSED_MS} ms" | tee "$W/latency.txt"

kill -TERM "$CLIENT"
wait "$CLIENT" && rc=0 || rc=$?
trap - EXIT
[ "$rc" -eq 0 ] || { echo "client exit $rc"; cat "$OUT"; exit 1; }
grep -q '^DONE subscription=terminated' "$OUT" || { echo "no clean end:"; cat "$OUT"; exit 1; }
wait_for_log 'subscribe.unsubscribed.*sip.auth_user=69/0000DEADBEEF.*sip.transport=tls'
wait_for_log 'notify.sent.*sip.subscription_state=terminated'
cat "$OUT"
stop_server
