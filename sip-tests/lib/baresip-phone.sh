#!/usr/bin/env bash
# Runs baresip (Debian baresip-core) headless as a two-line desk phone registering
# sip:69@example.net and sip:70@example.net through HOST:PORT with digest users
# 69/0000DEADBEEF and 70/0000DEADBEEF (draft-worley-instrument-identification).
#
#   baresip-phone.sh HOST PORT TRANSPORT SECONDS CONFIG_DIR
#
# Environment: OUTBOUND=1 adds sipnat=outbound (RFC 5626: reg-id, Supported: outbound).
# The SIP trace (-s) goes to CONFIG_DIR/baresip.log. Bounded: baresip -t SECONDS and timeout(1).
set -euo pipefail
HOST=$1 PORT=$2 TRANSPORT=$3 SECS=$4 CFG=$5
mkdir -p "$CFG"
PROXY="sip:${HOST}:${PORT};transport=${TRANSPORT}"
NAT=""; [ "${OUTBOUND:-0}" = 1 ] && NAT=";sipnat=outbound"
line() { # user authuser password
    printf '<sip:%s@example.net;transport=%s>;auth_user=%s;auth_pass=%s;outbound="%s"%s;regint=600;mwi=no;audio_codecs=pcmu\n' \
        "$1" "$TRANSPORT" "$2" "$3" "$PROXY" "$NAT"
}
{ line 69 69/0000DEADBEEF secret69; line 70 70/0000DEADBEEF secret70; } >"$CFG/accounts"
printf '00000000-0000-1000-8000-0000DEADBEEF' >"$CFG/uuid"
MODDIR=/usr/lib/baresip/modules
[ -d "$MODDIR" ] || MODDIR=$(dirname "$(dpkg -L baresip-core | grep '/account.so$' | head -1)")
cat >"$CFG/config" <<CONF
poll_method		epoll
sip_listen		127.0.0.1:0
audio_player		aufile,/dev/null
audio_source		ausine,440
module_path		${MODDIR}
module			g711.so
module			aufile.so
module			ausine.so
module_tmp		uuid.so
module_app		account.so
module_app		menu.so
CONF
timeout -k 3 $((SECS + 8)) baresip -f "$CFG" -s -t "$SECS" </dev/null >"$CFG/baresip.log" 2>&1 || true
