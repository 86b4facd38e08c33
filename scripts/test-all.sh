#!/usr/bin/env bash
# Runs every test of Switchboard on a fresh Debian machine of this kind:
#   1. installs what the tests need (idempotent apt-get),
#   2. builds, runs `swift test` (unit + integration),
#   3. runs the protocol tests in sip-tests/ (SIPp, baresip) against the built binary.
# .ci/run calls exactly this script. Prints the summaries of both test levels; exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
dpkg -s liblinphone10 >/dev/null 2>&1 || need+=(liblinphone10)
if [ ${#need[@]} -gt 0 ]; then
    echo "test-all: installing ${need[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "test-all: swift build"
swift build --build-tests

echo "test-all: swift test"
swift test --skip-build

echo "test-all: sip-tests"
sip-tests/run.sh
