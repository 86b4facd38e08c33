#!/usr/bin/env bash
# --trace-sip on the real binary: a SIPp line registers over UDP and TCP with digest; the server
# log holds every message in and out (`switchboard.sip.trace: in udp 127.0.0.1:PORT N bytes`,
# the message on the lines after, sip.direction, sip.bytes), the REGISTER's digest response only
# as response="…" (the value SIPp sent is nowhere in the log), and the request events carry
# sip.direction=in. Then `switchboard subscriptions`: none held, a malformed MAC refused.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server trace-sip --trace-sip
sb user add 69 --domain example.net --password secret69 >/dev/null
W="$RESULTS/trace-sip.d"; mkdir -p "$W"
printf 'SEQUENTIAL\n69;[authentication username=69/0000DEADBEEF password=secret69]\n' >"$W/line.csv"
sipp_register trace-udp register-uac.xml u1 "$W/line.csv" -set exp 600
sipp_register trace-tcp register-uac.xml t1 "$W/line.csv" -set exp 600
wait_for_log 'register.ok.*sip.transport=tcp'
sleep 0.3  # the log writer's batch

for transport in udp tcp; do
    grep -qE "switchboard.sip.trace: in $transport 127\.0\.0\.1:[0-9]+ [0-9]+ bytes$" "$SERVER_LOG" ||
        { echo "no incoming $transport trace"; grep 'sip.trace' "$SERVER_LOG" | head -3; exit 1; }
    grep -qE "switchboard.sip.trace: out $transport 127\.0\.0\.1:[0-9]+ [0-9]+ bytes$" "$SERVER_LOG" ||
        { echo "no outgoing $transport trace"; exit 1; }
done
grep -qE '^SIP/2.0 401 Unauthorized$' "$SERVER_LOG" || { echo "the 401 is not in the trace"; exit 1; }
grep -qE '^REGISTER sip:example.net SIP/2.0$' "$SERVER_LOG" || { echo "the REGISTER is not in the trace"; exit 1; }
grep -qE 'event=sip.trace .*sip.direction=in' "$SERVER_LOG" || { echo "no sip.direction=in on a trace record"; exit 1; }
grep -qE 'event=register.ok .*sip.direction=in' "$SERVER_LOG" || { echo "no sip.direction=in on register.ok"; exit 1; }
grep -qE '^Authorization: Digest .*response="…"' "$SERVER_LOG" || { echo "no redacted Authorization"; grep -i '^Authorization' "$SERVER_LOG" | head -2; exit 1; }

# The digest responses SIPp sent never reach the log.
grep -ohE 'response="?[0-9a-f]{32}' "$RESULTS"/trace-{udp,tcp}.sipp-messages.log | sed -E 's/response="?//' | sort -u >"$W/responses.txt"
[ -s "$W/responses.txt" ] || { echo "no digest response in SIPp's messages"; exit 1; }
if grep -qFf "$W/responses.txt" "$SERVER_LOG"; then echo "a digest response reached the log"; exit 1; fi
if grep -q secret69 "$SERVER_LOG"; then echo "the password reached the log"; exit 1; fi

# switchboard subscriptions: none held; a malformed MAC is refused before the server is asked.
[ "$(sb subscriptions)" = "no subscriptions" ] || { echo "subscriptions: $(sb subscriptions)"; exit 1; }
sb subscriptions --json | json_check 'd == []'
if sb subscriptions --instrument zz:zz:zz >"$W/bad.out" 2>&1; then echo "a malformed MAC was accepted"; exit 1; fi
grep -q 'not a MAC address' "$W/bad.out" || { cat "$W/bad.out"; exit 1; }
stop_server
