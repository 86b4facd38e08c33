# Helpers for sip-tests/tests/*.sh: start/stop the server under test, free ports, SIPp runs.
# Sourced by run.sh and by each test.

# A port free on 127.0.0.1 for both UDP and TCP (and PORT+1 for TLS when asked).
free_port() {
    python3 - "$@" <<'PY'
import socket, random, sys
span = int(sys.argv[1]) if len(sys.argv) > 1 else 1
for _ in range(200):
    base = random.randint(20000, 60000)
    try:
        socks = []
        for p in range(base, base + span):
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind)
                s.bind(("127.0.0.1", p))
                socks.append(s)
        for s in socks:
            s.close()
        print(base)
        break
    except OSError:
        for s in socks:
            s.close()
PY
}

# free_port_except SPAN PORT...: like free_port, never one of the given ports (picked for the
# same server a moment ago and not bound yet).
free_port_except() {
    local span="$1" port; shift
    while :; do
        port=$(free_port "$span")
        case " $* " in *" $port "*) continue ;; esac
        echo "$port"; return
    done
}

# start_server NAME [extra serve flags...]
# Starts switchboard on 127.0.0.1 with udp+tcp on $SIP_PORT, tls on $TLS_PORT, admin on
# $ADMIN_PORT, the configuration service on $HTTP_PORT, data in a fresh $DATA_DIR; waits until it answers OPTIONS. Log level: $LOG_LEVEL
# (unset: info; set but empty: no --log-level flag, the server's default).
start_server() {
    local name="$1"; shift
    local level=()
    [ -n "${LOG_LEVEL-info}" ] && level=(--log-level "${LOG_LEVEL-info}")
    if [ -z "${KEEP_PORTS:-}" ]; then  # KEEP_PORTS=1: restart on the ports of the last start
        SIP_PORT=$(free_port 2)
        TLS_PORT=$((SIP_PORT + 1))
        # Ports are only free when picked, not reserved: keep the others off SIP's pair.
        ADMIN_PORT=$(free_port_except 1 "$SIP_PORT" "$TLS_PORT")
        HTTP_PORT=$(free_port_except 1 "$SIP_PORT" "$TLS_PORT" "$ADMIN_PORT")
    fi
    DATA_DIR="${DATA_DIR:-$(mktemp -d /tmp/switchboard-sip-tests.XXXXXX)}"
    SERVER_LOG="$RESULTS/$name.server.log"
    SWITCHBOARD_PROVISIONING_TEMPLATES="${SWITCHBOARD_PROVISIONING_TEMPLATES:-$SIPTESTS_DIR/../conf/templates}" \
        "$SWITCHBOARD_BIN" serve --data "$DATA_DIR" --domain example.net \
        --sip "udp://127.0.0.1:$SIP_PORT" --sip "tcp://127.0.0.1:$SIP_PORT" --sip "tls://127.0.0.1:$TLS_PORT" \
        --admin "http://127.0.0.1:$ADMIN_PORT" --http "https://127.0.0.1:$HTTP_PORT" "${level[@]}" "$@" \
        >>"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    echo "$SERVER_PID" >>"$RESULTS/.pids"
    export SIP_PORT TLS_PORT ADMIN_PORT HTTP_PORT DATA_DIR SERVER_PID SERVER_LOG
    for _ in $(seq 1 100); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server exited early:"; tail -n 30 "$SERVER_LOG"; return 1
        fi
        if python3 "$SIPTESTS_DIR/lib/udp_probe.py" 127.0.0.1 "$SIP_PORT" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "server did not answer within 10 s"; tail -n 30 "$SERVER_LOG"; return 1
}

stop_server() {
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

stop_all_servers() {
    [ -f "$RESULTS/.pids" ] || return 0
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$RESULTS/.pids"
    rm -f "$RESULTS/.pids"
}

# run_sipp NAME SCENARIO TRANSPORT(u1|t1) [extra sipp args...]: one bounded SIPp run.
run_sipp() {
    local name="$1" scenario="$2" transport="$3"; shift 3
    timeout 60 sipp 127.0.0.1:"$SIP_PORT" -sf "$SIPTESTS_DIR/scenarios/$scenario" -t "$transport" \
        -i 127.0.0.1 -p "${SIPP_PORT:-$(free_port 1)}" -m 1 -timeout 20s -timeout_error -max_recv_loops 1000 \
        -trace_err -error_file "$RESULTS/$name.sipp-errors.log" \
        -trace_msg -message_file "$RESULTS/$name.sipp-messages.log" -nostdin "$@" \
        >"$RESULTS/$name.sipp.out" 2>&1 && local rc=0 || local rc=$?
    if [ $rc -ne 0 ]; then
        echo "sipp $scenario over $transport failed (exit $rc)"
        tail -n 20 "$RESULTS/$name.sipp.out" | cut -c1-400
        [ -f "$RESULTS/$name.sipp-errors.log" ] && tail -n 20 "$RESULTS/$name.sipp-errors.log" | cut -c1-400
    fi
    return $rc
}

# sb ARGS...: the switchboard CLI against the server under test.
sb() { "$SWITCHBOARD_BIN" "$@" --admin "http://127.0.0.1:$ADMIN_PORT"; }

# sipp_register NAME SCENARIO TRANSPORT CSV [extra sipp args...]: REGISTER calls from a CSV
# injection file (one line per call), bounded in count and time.
sipp_register() {
    local name="$1" scenario="$2" transport="$3" csv="$4"; shift 4
    local calls
    calls=$(grep -vcE '^(SEQUENTIAL|RANDOM|USER)' "$csv")
    run_sipp "$name" "$scenario" "$transport" -inf "$csv" -m "$calls" -set domain example.net \
        -trace_logs -log_file "$RESULTS/$name.sipp-logs.log" "$@"
}

# json_check PYTHON-EXPRESSION: evaluates the expression with `d` = the JSON on stdin; fails
# with the document printed when it is false.
json_check() {
    python3 -c '
import json, sys
d = json.load(sys.stdin)
ok = eval(sys.argv[1])
if not ok:
    print("check failed:", sys.argv[1]); print(json.dumps(d, indent=1)); sys.exit(1)
' "$1"
}

# wait_for_log PATTERN: waits (up to 5 s) until the server log holds PATTERN (grep -E); the
# server writes its log in batches, a few milliseconds after the event.
wait_for_log() {
    for _ in $(seq 1 50); do
        grep -qE "$1" "$SERVER_LOG" && return 0
        sleep 0.1
    done
    echo "the server log never showed: $1"; return 1
}
