#!/usr/bin/env bash
# Fuzzes the SIPCore parser, serializer round trip and stream framer with libFuzzer
# (Sources/SIPCoreFuzz/main.swift) for a bounded time.
#
#   sip-tests/fuzz.sh [SECONDS]        default 60
#
# Builds the harness into .build-fuzz with -sanitize=fuzzer,address, seeds the corpus
# sip-tests/fuzz-corpus/ (kept between runs, gitignored) from Tests/SIPCoreTests/Fixtures and a
# few messages written below, runs one libFuzzer process, prints how many inputs it executed and
# exits non-zero when an input crashed the harness. A crashing input is kept as
# sip-tests/results/fuzz/crash-* (replay it with: .build-fuzz/debug/SIPCoreFuzz FILE).
# Environment: FUZZ_JOBS is not supported on purpose (one core is left to the rest of the machine).
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
corpus="sip-tests/fuzz-corpus"
results="sip-tests/results/fuzz"
mkdir -p "$corpus" "$results"

echo "fuzz: building SIPCoreFuzz (debug, -sanitize=fuzzer,address)"
swift build -c debug --scratch-path .build-fuzz --product SIPCoreFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 \
    | grep -v -e "Cannot export local symbol" -e "^Fetch" -e "^Comput" -e "^Creating working copy" -e "^Working copy" || true
binary="$(swift build -c debug --scratch-path .build-fuzz --show-bin-path)/SIPCoreFuzz"
if [ ! -x "$binary" ]; then echo "fuzz: build failed" >&2; exit 2; fi

# Seeds: every fixture (any depth), then a few messages of our own. libFuzzer names corpus
# entries by content hash, so copying again is harmless.
if [ -d Tests/SIPCoreTests/Fixtures ]; then
    find Tests/SIPCoreTests/Fixtures -type f -size -8193c -print0 | while IFS= read -r -d '' f; do
        cp "$f" "$corpus/fixture-$(basename "$f")"
    done
fi
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }
seed register 'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1903262861;rport\r\nFrom: <sip:69@example.com>;tag=2138457321\r\nTo: <sip:69@example.com>\r\nCall-ID: 1829438561@192.168.1.23\r\nCSeq: 2 REGISTER\r\nContact: <sip:69@192.168.1.23:5060>;reg-id=1;+sip.instance="<urn:uuid:00000000-0000-1000-8000-0000DEADBEEF>";expires=3600;q=0.7\r\nAuthorization: Digest username="69/0000DEADBEEF", realm="example.com", nonce="MTcwMDAw\\"MDAw", uri="sip:example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001\r\nMax-Forwards: 70\r\nExpires: 3600\r\nSupported: path, outbound\r\nContent-Length: 0\r\n\r\n'
seed invite-sdp 'INVITE sips:%61lice;ext=1@[2001:db8::1]:5061;transport=tls;lr?Subject=hi&Priority=urgent SIP/2.0\r\nv: SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKx;received=2001:db8::9;maddr=239.1.1.1;ttl=16\r\nv: SIP/2.0/UDP a.example.com, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bKy\r\nf: "Bob \\"B\\" Smith" <sip:bob@example.com>;tag=a\r\nt: sip:alice@example.com\r\ni: abc@host\r\nCSeq: 10 INVITE\r\nm: <sip:bob@10.0.0.1>, "x,y" <tel:+1-212-555-0101;phone-context=example.com>\r\nRoute: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nRecord-Route: <sip:rr.example.com;lr>\r\nc: application/sdp\r\nl: 31\r\n\r\nv=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n'
seed response-401 'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1;rport=5060;received=203.0.113.7\r\nFrom: <sip:69@example.com>;tag=1\r\nTo: <sip:69@example.com>;tag=2\r\nCall-ID: 1@h\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="example.com", nonce="abc", algorithm=SHA-256, qop="auth,auth-int", stale=TRUE\r\nWWW-Authenticate: Digest realm="example.com", nonce="abc", algorithm=MD5, qop="auth"\r\nContent-Length: 0\r\n\r\n'
seed folded 'SUBSCRIBE sip:70@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\nFrom: <sip:69@example.com>\n ;tag=3\nTo:\n\t<sip:70@example.com>\nCall-ID: 2@h\nCSeq: 1 SUBSCRIBE\nEvent: dialog;id=7\no: presence\nAllow-Events: dialog, message-summary\nu: talk\nSubscription-State: active;expires=600\nAccept: application/dialog-info+xml\nk: outbound\nRequire: gruu\nProxy-Require: foo\nMin-Expires: 60\nl: 0\n\n'
seed wildcard 'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\nFrom: <sip:u@example.com>;tag=1\r\nTo: <sip:u@example.com>\r\nCall-ID: 3@h\r\nCSeq: 9 REGISTER\r\nContact: *\r\nExpires: 0\r\nPath: <sip:edge.example.com;lr;ob>\r\nContent-Length: 0\r\n\r\n'
seed stream 'OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK4\r\nFrom: <sip:u@example.com>;tag=1\r\nTo: <sip:example.com>\r\nCall-ID: 4@h\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n\r\nSIP/2.0 100 Trying\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK4\r\nFrom: <sip:u@example.com>;tag=1\r\nTo: <sip:example.com>\r\nCall-ID: 4@h\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
seed bad-version 'REGISTER sip:example.com SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK5\r\nFrom: <sip:u@example.com>;tag=1\r\nTo: <sip:u@example.com>\r\nCall-ID: 5@h\r\nCSeq: 1 INVITE\r\nContent-Length: 500\r\n\r\n'

echo "fuzz: corpus $(find "$corpus" -type f | wc -l) files; running for ${seconds}s"
log="$results/fuzz-$(date +%Y%m%d-%H%M%S).log"
status=0
"$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$results/" >"$log" 2>&1 || status=$?

runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
if [ -z "$runs" ]; then runs="$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9][0-9]*' || true)"; fi
secs="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -o '[0-9]* second' | grep -o '[0-9]*' || true)"
crashes="$(grep -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to //' || true)"
if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
    grep -E "ERROR|Fatal error|==[0-9]+==|SUMMARY|deadly signal|timeout" "$log" | head -20 >&2 || true
    echo "fuzz: FAILED after ${runs:-?} inputs (exit $status); crashing input: ${crashes:-none written}; log: $log" >&2
    exit 1
fi
echo "fuzz: ${runs:-?} inputs executed in ${secs:-$seconds}s without a crash (corpus $(find "$corpus" -type f | wc -l) files; log $log)"
