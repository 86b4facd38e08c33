#!/usr/bin/env bash
# A pipelined TCP stream with a framing error in the middle: the messages before it are answered,
# the connection is closed after a 400, and a new connection works.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server tcp-pipeline
timeout 30 python3 "$SIPTESTS_DIR/lib/tcp_pipeline.py" 127.0.0.1 "$SIP_PORT"
kill -0 "$SERVER_PID"
stop_server
