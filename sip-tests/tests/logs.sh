#!/usr/bin/env bash
# Logs, with the server's default log level: each registration writes its info events
# (register.challenge, register.ok) in text and in JSON (one object per line), and the line
# logged just before `serve` returns ("stopped", after SIGTERM) is in the log: the log is
# flushed on the way out.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
W="$RESULTS/logs.d"; mkdir -p "$W"
printf 'SEQUENTIAL\n69;[authentication username=69/0000deadbeef password=secret69]\n' >"$W/line.csv"

for format in text json; do
    unset DATA_DIR  # a fresh data dir per format
    LOG_LEVEL= start_server "logs-$format" --log-format "$format"
    sb user add 69 --domain example.net --password secret69 >/dev/null
    sipp_register "logs-$format" register-uac.xml u1 "$W/line.csv" -set exp 3600 \
        -set instance 00000000-0000-1000-8000-0000deadbeef
    stop_server
    python3 - "$format" "$SERVER_LOG" <<'PY'
import json, sys
fmt, path = sys.argv[1], sys.argv[2]
lines = [l for l in open(path, encoding="utf-8").read().splitlines() if l.strip()]
if not lines:
    sys.exit(f"{fmt}: empty log")
if fmt == "json":
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError as error:
            sys.exit(f"json: line {number} is not one JSON object ({error}): {line[:200]}")
        if not isinstance(record, dict) or not {"ts", "level", "label", "msg"} <= record.keys():
            sys.exit(f"json: line {number} lacks ts/level/label/msg: {line[:200]}")
        records.append(record)
    ok = [r for r in records if r["msg"] == "register.ok" and r["level"] == "info"
          and r.get("meta", {}).get("sip.aor") == "sip:69@example.net"
          and r["meta"].get("sip.instrument") == "0000DEADBEEF"]
    challenges = [r for r in records if r["msg"] == "register.challenge" and r["level"] == "info"]
    last = records[-1]["msg"]
else:
    ok = [l for l in lines if " info switchboard.registrar: register.ok " in l and "sip.aor=sip:69@example.net" in l]
    challenges = [l for l in lines if " info switchboard.registrar: register.challenge " in l]
    last = lines[-1].split(": ", 1)[-1]
if last != "stopped":
    sys.exit(f"{fmt}: the last line is not 'stopped' (log not flushed on exit?): {lines[-1][:200]}")
if not ok or not challenges:
    sys.exit(f"{fmt}: no info-level register.ok / register.challenge line at the default level")
print(f"{fmt}: {len(lines)} lines, register.ok and register.challenge at info, last line 'stopped'")
PY
done
