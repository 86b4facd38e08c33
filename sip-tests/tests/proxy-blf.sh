#!/usr/bin/env bash
# Forking proxy for BLF (draft-worley-instrument-identification §2–3, RFC 6665): three lines
# register — 69 and 70 from phone 0000DEADBEEF, 71 from phone 0004F2ABCDEF — then act as BLF
# notifiers (SIPp UAS on the port they registered from, so the proxy reaches them over their
# UDP flow). A watcher SUBSCRIBEs (Event: dialog, digest after 407) to
# sip:~~in~0000DEADBEEF@example.net: exactly lines 69 and 70 get it, both answer 200 and NOTIFY,
# the watcher gets one 2xx and both NOTIFYs through the proxy (Record-Route), and a
# re-SUBSCRIBE inside one NOTIFY's dialog reaches that line only. Then ~~in~69&0000DEADBEEF
# reaches line 69 only.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server proxy-blf
sb user add 69 --domain example.net --password secret69
sb user add 70 --domain example.net --password secret70
sb user add 71 --domain example.net --password secret71
W="$RESULTS/proxy-blf.d"; mkdir -p "$W"

declare -A PORT AUTH
AUTH[69]=69/0000DEADBEEF; AUTH[70]=70/00:00:de:ad:be:ef; AUTH[71]=71/0004F2ABCDEF
for line in 69 70 71; do
    PORT[$line]=$(free_port 1)
    printf 'SEQUENTIAL\n%s;[authentication username=%s password=secret%s]\n' "$line" "${AUTH[$line]}" "$line" >"$W/line$line.csv"
    SIPP_PORT=${PORT[$line]} sipp_register "line$line" register-uac.xml u1 "$W/line$line.csv" -set exp 600 \
        -set instance "00000000-0000-1000-8000-00000000000$line"
done
sb registrations --instrument 0000DEADBEEF --json | json_check 'sorted(r["aor"] for r in d) == ["sip:69@example.net", "sip:70@example.net"]'

# start_lines NAME LINE...: the lines as notifiers, in the background. A SIPp UAS that never
# receives anything has no call to time out, so each line gives up after 10 s at most.
start_lines() {
    local name="$1"; shift
    LINE_PIDS=()
    for line in "$@"; do
        SIPP_PORT=${PORT[$line]} run_sipp "$name-line$line" blf-line-uas.xml u1 -set line "$line" \
            -trace_logs -log_file "$RESULTS/$name-line$line.log" -timeout 10s &
        LINE_PIDS+=($!)
    done
    sleep 0.5  # the UAS sockets are bound before the watcher starts
}
# SIPp counts the lines' receive timeouts (no SUBSCRIBE, no re-SUBSCRIBE) as failed calls, so
# their exit status says nothing; their logs are checked instead.
wait_lines() { local pid; for pid in "${LINE_PIDS[@]}"; do wait "$pid" || true; done; }

printf 'SEQUENTIAL\n71;[authentication username=71/0004F2ABCDEF password=secret71]\n' >"$W/watcher.csv"

# 1. sip:~~in~0000DEADBEEF: both lines of that phone, not line 71.
start_lines fork 69 70 71
run_sipp fork-watcher blf-watcher-uac.xml u1 -inf "$W/watcher.csv" -set target '~~in~0000DEADBEEF' \
    -trace_logs -log_file "$RESULTS/fork-watcher.log"
wait_lines
cat "$RESULTS"/fork-line*.log 2>/dev/null | grep -a 'SUBSCRIBED' || true
grep -q "^SUBSCRIBED 69 sip:69@127.0.0.1:${PORT[69]}" "$RESULTS/fork-line69.log"
grep -q "^SUBSCRIBED 70 sip:70@127.0.0.1:${PORT[70]}" "$RESULTS/fork-line70.log"
if grep -qs 'SUBSCRIBE sip:' "$RESULTS/fork-line71.sipp-messages.log"; then echo "line 71 got the SUBSCRIBE"; exit 1; fi
grep -q '^NOTIFY-OK 69' "$RESULTS/fork-line69.log"
grep -q '^NOTIFY-OK 70' "$RESULTS/fork-line70.log"
[ "$(grep -c '^NOTIFIED' "$RESULTS/fork-watcher.log")" -eq 2 ]
grep -q '^NOTIFIED 69' "$RESULTS/fork-watcher.log"
grep -q '^NOTIFIED 70' "$RESULTS/fork-watcher.log"
# The re-SUBSCRIBE went to the line whose NOTIFY came second, and only to it.
resub=$(sed -n 's/^RESUBSCRIBED \([0-9]*\)$/\1/p' "$RESULTS/fork-watcher.log")
[ -n "$resub" ]
grep -q "^RESUBSCRIBED $resub" "$RESULTS/fork-line$resub.log"
[ "$(cat "$RESULTS"/fork-line*.log 2>/dev/null | grep -ac '^RESUBSCRIBED')" -eq 1 ]
grep -q 'subscribe.ok' "$SERVER_LOG"

# 2. sip:~~in~69&0000DEADBEEF: line 69 only.
start_lines line 69 70
run_sipp line-watcher blf-watcher-uac.xml u1 -inf "$W/watcher.csv" -set target '~~in~69%260000DEADBEEF' \
    -trace_logs -log_file "$RESULTS/line-watcher.log"
wait_lines
grep -q '^SUBSCRIBED 69' "$RESULTS/line-line69.log"
if grep -qs 'SUBSCRIBE sip:' "$RESULTS/line-line70.sipp-messages.log"; then echo "line 70 got the SUBSCRIBE"; exit 1; fi
grep -q '^NOTIFY-OK 69' "$RESULTS/line-line69.log"
grep -q '^NOTIFIED 69' "$RESULTS/line-watcher.log"
stop_server
