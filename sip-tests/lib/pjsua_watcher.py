#!/usr/bin/env python3
"""pjsua_watcher.py - a headless PJSIP (PyPI pjsua2-python) BLF watcher for sip-tests.

One account, no REGISTER: every request goes to --server (outbound proxy), digest
credentials answer the proxy's 407. It SUBSCRIBEs to --subscribe with Event: dialog through
PJSIP's own dialog-event client, pjsua_buddy_subscribe_dlg_event() (pjsua2 does not wrap it;
it is called from the wheel's shared object through ctypes).

  pjsua_watcher.py --server 127.0.0.1:5060 --transport udp --user 71 \
      --auth-user 71/0004F2ABCDEF --password secret71 \
      --subscribe 'sip:~~in~0000DEADBEEF@example.net' --seconds 10

Stdout, flushed at once, read from PJSIP's message log:
  RESPONSE SUBSCRIBE 200 OK
  NOTIFY event=dialog state=active;expires=600 type=application/dialog-info+xml body=<?xml ...
  ANSWERED NOTIFY 200 OK
(bodies on one line, newlines written as \\n). After --seconds, or on SIGTERM/SIGINT, it
un-SUBSCRIBEs and exits 0; exit 2 when no 2xx to the SUBSCRIBE came. PJSIP's log, every SIP
message included, goes to --log (default: WORKDIR/pjsua.log).
"""
import argparse
import ctypes
import os
import re
import signal
import sys
import tempfile
import time

try:
    import pjsua2 as pj
except ImportError:
    print("SKIP pjsua2 missing (pip install pjsua2-python)")
    sys.exit(3)

OUT = sys.stdout


def say(line):
    OUT.write(line + "\n")
    OUT.flush()


def one_line(body):
    return body.strip().replace("\r", "").replace("\n", "\\n")


class Log(pj.LogWriter):
    """PJSIP's log to a file; the SIP messages that matter also to stdout."""

    def __init__(self, path, state):
        pj.LogWriter.__init__(self)
        self.f = open(path, "a")
        self.state = state

    def write(self, entry):
        msg = entry.msg
        self.f.write(msg if msg.endswith("\n") else msg + "\n")
        self.f.flush()
        head = msg.split("\n", 1)[0]
        sip = msg.split("\n", 1)[1] if "\n" in msg else ""
        if head.startswith("RX ") and "Request msg NOTIFY" in head:
            hdr = lambda n: (re.search(r"(?im)^%s:\s*([^\r\n]*)" % n, sip) or [None, ""])[1].strip()
            parts = re.split(r"\r?\n\r?\n", sip, maxsplit=1)
            body = parts[1].split("\n--end msg--")[0] if len(parts) > 1 else ""
            say("NOTIFY event=%s state=%s type=%s body=%s" % (
                hdr("Event"), hdr("Subscription-State").replace(" ", ""), hdr("Content-Type"), one_line(body)))
        elif head.startswith("RX ") and re.search(r"Response msg \d+/SUBSCRIBE", head):
            status = re.search(r"(?m)^SIP/2\.0 (\d+)([^\r\n]*)", sip)
            if status:
                self.state["codes"].append(int(status.group(1)))
                say("RESPONSE SUBSCRIBE %s%s" % (status.group(1), status.group(2)))
        elif head.startswith("TX ") and re.search(r"Response msg \d+/NOTIFY", head):
            status = re.search(r"(?m)^SIP/2\.0 ([^\r\n]*)", sip)
            say("ANSWERED NOTIFY %s" % (status.group(1) if status else "?"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="HOST:PORT that gets every request")
    ap.add_argument("--transport", choices=("udp", "tcp", "tls"), default="udp")
    ap.add_argument("--user", required=True, help="identity sip:USER@DOMAIN")
    ap.add_argument("--auth-user", help="digest username (default: USER)")
    ap.add_argument("--password", required=True)
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--subscribe", required=True, metavar="URI")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workdir", help="log directory (default: a new temp dir)")
    ap.add_argument("--log", help="PJSIP log file (default: WORKDIR/pjsua.log)")
    a = ap.parse_args()
    a.workdir = a.workdir or tempfile.mkdtemp(prefix="pjsua-watcher.")
    os.makedirs(a.workdir, exist_ok=True)
    state = {"codes": []}

    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0          # polled from this thread only
    cfg.uaConfig.mainThreadOnly = True
    cfg.uaConfig.userAgent = "switchboard-sip-tests-pjsua (pjsip %s)" % ep.libVersion().full
    writer = Log(a.log or os.path.join(a.workdir, "pjsua.log"), state)
    cfg.logConfig.writer = writer
    cfg.logConfig.level = 5
    cfg.logConfig.consoleLevel = 5
    cfg.logConfig.msgLogging = 1
    cfg.logConfig.decor = 0
    ep.libInit(cfg)

    tcfg = pj.TransportConfig()
    tcfg.port = 0
    tcfg.boundAddress = "127.0.0.1"
    kind = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}
    if a.transport == "tls":
        tcfg.tlsConfig.verifyServer = False      # our server's certificate is self-signed
        tcfg.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
    ep.transportCreate(kind[a.transport], tcfg)
    ep.libStart()
    ep.audDevManager().setNullDev()

    acfg = pj.AccountConfig()
    acfg.idUri = "sip:%s@%s" % (a.user, a.domain)
    acfg.regConfig.registrarUri = ""            # no REGISTER
    acfg.sipConfig.proxies.append("sip:%s;transport=%s;lr" % (a.server, a.transport))
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", a.auth_user or a.user, 0, a.password))
    acfg.natConfig.contactRewriteUse = 0
    acfg.natConfig.viaRewriteUse = 0
    acfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.presConfig.publishEnabled = False
    acfg.mwiConfig.enabled = False
    acc = pj.Account()
    acc.create(acfg)

    lib = ctypes.CDLL(pj._pjsua2.__file__)
    lib.pjsua_buddy_subscribe_dlg_event.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.pjsua_buddy_subscribe_dlg_event.restype = ctypes.c_int
    bcfg = pj.BuddyConfig()
    bcfg.uri = a.subscribe
    bcfg.subscribe = False
    buddy = pj.Buddy()
    buddy.create(acc, bcfg)
    rc = lib.pjsua_buddy_subscribe_dlg_event(buddy.getId(), 1)
    say("STATE subscribe-sent uri=%s event=dialog rc=%d" % (a.subscribe, rc))

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.time() + a.seconds
    while time.time() < end and not stop:
        ep.libHandleEvents(20)
    lib.pjsua_buddy_subscribe_dlg_event(buddy.getId(), 0)   # un-SUBSCRIBE
    linger = time.time() + 1.0
    while time.time() < linger:
        ep.libHandleEvents(20)
    ok = any(200 <= c < 300 for c in state["codes"])
    say("DONE" if ok else "FATAL no 2xx to the SUBSCRIBE (responses: %s)" % state["codes"])
    OUT.flush()
    os._exit(0 if ok else 2)    # skip libDestroy(): it can block on unanswered transactions


if __name__ == "__main__":
    main()
