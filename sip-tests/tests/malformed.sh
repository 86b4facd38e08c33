#!/usr/bin/env bash
# Malformed input over UDP and TCP: 400 with a reason phrase, 505, garbage dropped, server alive.
set -euo pipefail
source "$SIPTESTS_DIR/lib/server.sh"
start_server malformed
run_sipp malformed-udp malformed-uac.xml u1
stop_server
