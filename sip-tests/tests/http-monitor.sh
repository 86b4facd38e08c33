#!/usr/bin/env bash
# http-monitor (RFC 5989) for phone configurations (RFC 6011 §2.5.1), end to end: curl fetches
# the phone's file and its Link: <sips:~~cf~MAC@domain>;rel="monitor"; a SIPp phone SUBSCRIBEs to
# that URI over TLS with the digest credentials of its line; the initial NOTIFY's ETag is the one
# the GET returned; `switchboard instrument line add …` brings a NOTIFY within a second whose ETag
# equals what a new GET returns; unsubscribing brings the final NOTIFY "terminated". Then the
# subscription survives a restart: a change after it still reaches the phone.
#
# The Link names a sips: URI and by default the notifier takes such subscriptions over TLS only
# (RFC 5989 §6; checked first). Debian's SIPp is built without TLS, so the SIPp phone subscribes
# to the sip: form over UDP with events.requireTLS=false; the TLS path is covered by the Swift
# integration tests.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
W="$RESULTS/http-monitor.d"; mkdir -p "$W"
start_server http-monitor
for user in 69 70 71 72; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
sb instrument add 0000DEADBEEF --vendor yealink --model T54W --line 69 --line 70 >/dev/null
BASE="https://127.0.0.1:$HTTP_PORT"
get_etag() { curl -sk --max-time 10 -o /dev/null -D - --digest -u 69/0000DEADBEEF:secret69 "$BASE/0000deadbeef.cfg" | sed -n 's/^[Ee][Tt]ag: //p' | tr -d '\r'; }

curl -sk --max-time 10 -o /dev/null -D "$W/get.head" --digest -u 69/0000DEADBEEF:secret69 "$BASE/0000deadbeef.cfg"
MONITOR=$(sed -n 's/^[Ll]ink: <\([^>]*\)>;rel="monitor".*/\1/p' "$W/get.head" | tr -d '\r')
[ "$MONITOR" = "sips:~~cf~0000DEADBEEF@example.net" ] || { echo "monitor link: '$MONITOR'"; exit 1; }
ETAG1=$(sed -n 's/^[Ee][Tt]ag: //p' "$W/get.head" | tr -d '\r')

# By default a subscription that does not come over TLS is refused.
python3 - "$SIP_PORT" >"$W/refusals.txt" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5); s.bind(("127.0.0.1", 0))
local = s.getsockname()[1]
msg = ("SUBSCRIBE sip:~~cf~0000DEADBEEF@example.net SIP/2.0\r\n"
       f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-udp-monitor;rport\r\n"
       "From: <sip:watcher@example.net>;tag=u1\r\nTo: <sip:~~cf~0000DEADBEEF@example.net>\r\n"
       "Call-ID: udp-monitor\r\nCSeq: 1 SUBSCRIBE\r\n"
       f"Contact: <sip:watcher@127.0.0.1:{local}>\r\nEvent: http-monitor\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
s.sendto(msg.encode(), ("127.0.0.1", port))
print(s.recv(65535).decode().split("\r\n")[0])
PY
grep -q '^SIP/2.0 403' "$W/refusals.txt"

stop_server
export SWITCHBOARD_EVENTS_REQUIRE_TLS=false
KEEP_PORTS=1 start_server http-monitor-udp
printf 'SEQUENTIAL\n%s;[authentication username=69/0000DEADBEEF password=secret69]\n' "${MONITOR/#sips:/sip:}" >"$W/watcher.csv"

# watch NAME: runs the subscriber (SIPp over UDP) in the background.
watch() {
    local name="$1"
    (cd "$W" && timeout 60 sipp 127.0.0.1:"$SIP_PORT" -sf "$SIPTESTS_DIR/scenarios/http-monitor-uac.xml" -t u1 \
        -i 127.0.0.1 -p "$(free_port 1)" -m 1 -timeout 30s -timeout_error \
        -inf watcher.csv -trace_logs -log_file "$RESULTS/$name.sipp-logs.log" -trace_err \
        -error_file "$RESULTS/$name.sipp-errors.log" -trace_msg -message_file "$RESULTS/$name.sipp-messages.log" \
        -nostdin >"$RESULTS/$name.sipp.out" 2>&1) &
    WATCHER=$!
}
# logged NAME PATTERN: waits (up to 10 s) for the subscriber's log to hold PATTERN; prints the line.
logged() {
    for _ in $(seq 1 100); do
        grep -E "$2" "$RESULTS/$1.sipp-logs.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no '$2' in $1's log"; cat "$RESULTS/$1.sipp-errors.log" 2>/dev/null | tail -20; return 1
}

watch watcher
INITIAL=$(logged watcher 'NOTIFY initial')
echo "$INITIAL" | grep -qE "etag=$ETAG1 state= ?active;expires=3600" || { echo "initial: $INITIAL (GET: $ETAG1)"; exit 1; }
wait_for_log 'subscribe.ok.*sip.auth_user=69/0000DEADBEEF'

START=$(date +%s%N)
sb instrument line add 0000deadbeef 71 >/dev/null
CHANGED=$(logged watcher 'NOTIFY changed')
ELAPSED_MS=$((($(date +%s%N) - START) / 1000000))
ETAG2=$(get_etag)
echo "$CHANGED" | grep -qE "etag=$ETAG2 state= ?active" || { echo "changed: $CHANGED (GET: $ETAG2)"; exit 1; }
[ "$ETAG2" != "$ETAG1" ]
[ "$ELAPSED_MS" -le 1500 ] || { echo "the change took $ELAPSED_MS ms to be notified"; exit 1; }
echo "change notified in ${ELAPSED_MS} ms" >"$W/latency.txt"
logged watcher "FINAL state= ?terminated" >/dev/null
wait "$WATCHER"

# Restart: the stored subscription goes on.
printf 'SEQUENTIAL\n%s;[authentication username=70/0000DEADBEEF password=secret70]\n' "sip:~~cf~0000DEADBEEF@example.net" >"$W/watcher.csv"
watch restart
logged restart 'NOTIFY initial' >/dev/null
stop_server
KEEP_PORTS=1 start_server http-monitor-restart-2
wait_for_log 'subscriptions.restored.*count=1'
sb instrument line add 0000deadbeef 72 >/dev/null
CHANGED=$(logged restart 'NOTIFY changed')
echo "$CHANGED" | grep -qE "etag=$(get_etag) state= ?active" || { echo "after restart: $CHANGED"; exit 1; }
logged restart "FINAL state= ?terminated" >/dev/null
wait "$WATCHER"
# The NOTIFYs after the restart continue the dialog's CSeq.
grep -E '^CSeq: [0-9]+ NOTIFY' "$RESULTS/restart.sipp-messages.log" | awk '{print $2}' >"$W/cseqs.txt"
sort -n -c "$W/cseqs.txt"
stop_server
