#!/usr/bin/env bash
# check-sync for phones that do not subscribe to http-monitor (events.resync): a SIPp phone
# registers line 70/0004F2ABCDEF of a provisioned Polycom; adding a line to that phone sends it
# "NOTIFY Event: check-sync;reboot=false"; the phone challenges it (401) and the server answers
# with the digest credentials of the phone's line.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
W="$RESULTS/check-sync.d"; mkdir -p "$W"
SWITCHBOARD_EVENTS_RESYNC=polycom start_server check-sync
for user in 70 71; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
sb instrument add 0004F2ABCDEF --vendor polycom --model VVX450 --line 70 >/dev/null
printf 'SEQUENTIAL\n70;[authentication username=70/0004F2ABCDEF password=secret70]\n' >"$W/line70.csv"
PHONE_PORT=$(free_port 1)
SIPP_PORT=$PHONE_PORT sipp_register line70 register-uac.xml u1 "$W/line70.csv" -set exp 3600 \
    -set instance 00000000-0000-1000-8000-0004f2abcdef
# The phone now waits on the port its Contact names.
(timeout 60 sipp -sf "$SIPTESTS_DIR/scenarios/checksync-uas.xml" -t u1 -i 127.0.0.1 -p "$PHONE_PORT" -m 1 \
    -set authuser 70/0004F2ABCDEF -set password secret70 -timeout 30s -timeout_error -trace_logs \
    -log_file "$RESULTS/phone.sipp-logs.log" -trace_err -error_file "$RESULTS/phone.sipp-errors.log" -trace_msg \
    -message_file "$RESULTS/phone.sipp-messages.log" -nostdin >"$RESULTS/phone.sipp.out" 2>&1) &
PHONE=$!
# Wait until SIPp holds its port (binding it fails then).
for _ in $(seq 1 50); do
    python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))' \
        "$PHONE_PORT" 2>/dev/null || break
    sleep 0.1
done
sb instrument line add 0004f2abcdef 71 >/dev/null
wait "$PHONE" || { echo "the phone did not get its check-sync"; tail -20 "$RESULTS/phone.sipp-errors.log"; exit 1; }
grep -qE 'CHECKSYNC event= ?check-sync;reboot=false auth=true' "$RESULTS/phone.sipp-logs.log"
wait_for_log 'resync.sent.*sip.event=check-sync;reboot=false.*sip.status=200'
stop_server
