#!/usr/bin/env bash
# BLF through the forking proxy with real, independent SIP clients (issue 8 item 5).
# The phone: one liblinphone process (lib/linphone_phone.py) with two lines, 69 and 70,
# registered as 69/0000DEADBEEF and 70/0000DEADBEEF. The watchers, as user 71/0004F2ABCDEF
# (digest after the proxy's 407): liblinphone (lib/linphone_client.py --event dialog) and PJSIP
# (lib/pjsua_watcher.py, PyPI pjsua2-python in sip-tests/.venv, installed here when missing;
# skipped with a message when it cannot be installed). Each watcher SUBSCRIBEs to
# sip:~~in~0000DEADBEEF@example.net: both lines of the phone get the forked SUBSCRIBE, accept it
# (200) and NOTIFY an RFC 4235 idle document; the watcher gets a 2xx and, through the proxy
# (Record-Route), the NOTIFYs of both lines (two distinct entity= values on the wire).
# Phone over UDP with each watcher over UDP and TLS; then the phone over TLS.
#
# Neither client implements forked subscriptions (RFC 6665 §4.1.2.4): each keeps the dialog
# of the 2xx it got and answers the other line's NOTIFY with 481, which the proxy carries back
# to that line (it then ends its subscription). The test checks the NOTIFYs that reached the
# watcher and that one of them was accepted; it does not require the 481.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
python3 -c 'import ctypes; ctypes.CDLL("liblinphone.so.10")' 2>/dev/null \
    || { echo "liblinphone.so.10 missing: apt-get install liblinphone10"; exit 1; }
W="$RESULTS/linphone-blf.d"; mkdir -p "$W"
LIB="$SIPTESTS_DIR/lib"
TARGET='sip:~~in~0000DEADBEEF@example.net'

# pjsua2 (PyPI wheel, CPython 3.8-3.12 x86_64) in a venv of its own, installed once.
VENV="$SIPTESTS_DIR/.venv"
PJ_PY=""
if ! "$VENV/bin/python" -c 'import pjsua2' 2>/dev/null; then
    { [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"; } >"$W/pip.log" 2>&1 \
        && timeout 120 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 \
            "pjsua2-python==2.15.1.post1" >>"$W/pip.log" 2>&1 || true
fi
if "$VENV/bin/python" -c 'import pjsua2' 2>/dev/null; then
    PJ_PY="$VENV/bin/python"
else
    echo "SKIP pjsua2 watcher: pjsua2-python could not be installed into $VENV (see $W/pip.log)"
fi

start_server linphone-blf
for user in 69 70 71; do sb user add "$user" --domain example.net --password "secret$user" >/dev/null; done
port_of() { if [ "$1" = tls ]; then echo "$TLS_PORT"; else echo "$SIP_PORT"; fi; }

PHONE=""
trap '[ -n "$PHONE" ] && kill -TERM $PHONE 2>/dev/null || true; [ -n "${WATCHER:-}" ] && kill -TERM $WATCHER 2>/dev/null || true' EXIT

# start_phone TRANSPORT: the two-line phone; returns once both lines are registered over it.
start_phone() {
    PHONE_T="$1"; PHONE_OUT="$W/phone-$1.out"
    timeout 50 python3 "$LIB/linphone_phone.py" --server "127.0.0.1:$(port_of "$1")" --transport "$1" \
        --line 69,69/0000DEADBEEF,secret69 --line 70,70/0000DEADBEEF,secret70 --seconds 45 \
        --workdir "$W/phone-$1" >"$PHONE_OUT" 2>&1 &
    PHONE=$!
    for _ in $(seq 1 100); do
        if grep -q '^REGISTERED lines=69,70' "$PHONE_OUT" && sb registrations --instrument 0000deadbeef --json \
            | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if sorted(r["aor"] for r in d if r["transport"] == sys.argv[1]) == ["sip:69@example.net", "sip:70@example.net"] else 1)' "$1"
        then return 0; fi
        kill -0 "$PHONE" 2>/dev/null || break
        sleep 0.1
    done
    echo "the phone's two lines did not register over $1 within 10 s:"; cat "$PHONE_OUT"; exit 1
}

stop_phone() {
    kill -TERM "$PHONE"
    wait "$PHONE" && rc=0 || rc=$?
    PHONE=""
    [ "$rc" -eq 0 ] || { echo "phone exit $rc"; cat "$PHONE_OUT"; exit 1; }
    for _ in $(seq 1 50); do   # un-REGISTERed
        sb registrations --instrument 0000deadbeef --json | python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)))' && return 0
        sleep 0.1
    done
    echo "the phone's lines are still registered after it stopped"; exit 1
}

# entities FILE: the distinct dialog-info entity values in FILE, sorted, space-separated.
entities() { grep -o 'entity=\\\?"sip:[^"\\]*' "$1" | sed 's/.*"//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# watch KIND TRANSPORT: one watcher (linphone|pjsua) over TRANSPORT against the running phone.
watch() {
    local kind="$1" t="$2" name="$1-$2-phone-$PHONE_T"
    local out="$W/$name.out" wire before log_before
    before=$(grep -c '^SUBSCRIBE-RECEIVED' "$PHONE_OUT" || true)
    log_before=$(wc -l <"$SERVER_LOG")
    if [ "$kind" = linphone ]; then
        wire="$W/$name/linphone.log"
        timeout 30 python3 "$LIB/linphone_client.py" --server "127.0.0.1:$(port_of "$t")" --transport "$t" \
            --user 71 --auth-user 71/0004F2ABCDEF --password secret71 --subscribe "$TARGET" --event dialog \
            --expires 600 --seconds 15 --workdir "$W/$name" >"$out" 2>&1 &
    else
        wire="$out"
        timeout 30 "$PJ_PY" "$LIB/pjsua_watcher.py" --server "127.0.0.1:$(port_of "$t")" --transport "$t" \
            --user 71 --auth-user 71/0004F2ABCDEF --password secret71 --subscribe "$TARGET" \
            --seconds 15 --workdir "$W/$name" >"$out" 2>&1 &
    fi
    WATCHER=$!
    for _ in $(seq 1 100); do   # both forks answered, both NOTIFYs on the watcher's wire
        [ "$(($(grep -c '^NOTIFY-SENT' "$PHONE_OUT" || true) - before))" -ge 2 ] \
            && [ "$(entities "$wire")" = "sip:69@example.net sip:70@example.net" ] && break
        kill -0 "$WATCHER" 2>/dev/null || break
        sleep 0.1
    done
    sleep 0.3   # the answer to the last NOTIFY
    kill -TERM "$WATCHER" 2>/dev/null || true
    wait "$WATCHER" && rc=0 || rc=$?
    WATCHER=""
    fail() { echo "$name: $*"; echo "--- watcher"; cat "$out"; echo "--- phone"; cat "$PHONE_OUT"; exit 1; }
    [ "$rc" -eq 0 ] || fail "watcher exit $rc"
    # The phone: one forked SUBSCRIBE per line, both accepted with a NOTIFY.
    local lines
    lines=$(tail -n +$((before + 1)) <(grep '^SUBSCRIBE-RECEIVED' "$PHONE_OUT") | sed 's/.* line=\([^ ]*\).*/\1/' | sort | tr '\n' ' ')
    [ "$lines" = "69 70 " ] || fail "SUBSCRIBE-RECEIVED lines: '$lines' (want 69 70)"
    tail -n +$((before + 1)) <(grep '^SUBSCRIBE-RECEIVED' "$PHONE_OUT") | grep -vq 'from=sip:71@example.net event=dialog to=sip:~~in~0000DEADBEEF@example.net' \
        && fail "a SUBSCRIBE-RECEIVED line with another From/Event/To"
    # The watcher: a 2xx, NOTIFYs of both lines on its wire, one accepted.
    if [ "$kind" = linphone ]; then
        grep -q '^STATE subscription=active' "$out" || fail "no 2xx (subscription never active)"
        grep -q '^NOTIFY event=dialog state=active;expires=[0-9]* type=application/dialog-info+xml body=.*entity="sip:\(69\|70\)@example.net"' "$out" \
            || fail "no dialog-info NOTIFY accepted"
        grep -q '^DONE subscription=terminated' "$out" || fail "no clean end"
    else
        grep -q '^RESPONSE SUBSCRIBE 2[0-9][0-9]' "$out" || fail "no 2xx to the SUBSCRIBE"
        grep -q '^NOTIFY event=dialog state=active;expires=[0-9]* type=application/dialog-info+xml body=' "$out" \
            || fail "no dialog-info NOTIFY"
        grep -q '^ANSWERED NOTIFY 200' "$out" || fail "no NOTIFY accepted"
        grep -q '^DONE' "$out" || fail "no clean end"
    fi
    [ "$(entities "$wire")" = "sip:69@example.net sip:70@example.net" ] \
        || fail "entities on the watcher's wire: '$(entities "$wire")' (log: $wire)"
    # Through the proxy: the server forwarded both NOTIFYs (and got their answers).
    local notifies
    notifies=$(tail -n +$((log_before + 1)) "$SERVER_LOG" | grep -c 'event=notify\.[a-z_]* .*sip.method=NOTIFY' || true)
    [ "$notifies" -ge 2 ] || fail "the server log shows $notifies proxied NOTIFYs (want 2)"
    tail -n +$((log_before + 1)) "$SERVER_LOG" | grep -qE "subscribe.ok detail=2 branch\(es\).*sip.auth_user=71/0004F2ABCDEF.*sip.transport=$t" \
        || fail "no subscribe.ok with 2 branches from 71 over $t in the server log"
    echo "ok: $name: lines $lines; on the watcher's wire: $(entities "$wire");" \
        "NOTIFYs it answered 481: $(grep -cE '^(ANSWERED NOTIFY 481|SIP/2.0 481)' "$wire" || true)"
}

start_phone udp
watch linphone udp
watch linphone tls
if [ -n "$PJ_PY" ]; then watch pjsua udp; watch pjsua tls; fi
stop_phone

start_phone tls
watch linphone tls
[ -n "$PJ_PY" ] && watch pjsua tls
stop_phone
trap - EXIT
stop_server
