#!/usr/bin/env python3
"""linphone_phone.py - a headless liblinphone desk phone with several lines, as BLF notifier.

One liblinphone core (one process, one SIP port) with one account per --line, each REGISTERing
through --server with its own digest user (`69/0000DEADBEEF` style), all with the same
+sip.instance. An incoming SUBSCRIBE with `Event: dialog` is accepted (200, liblinphone's own
transaction and dialog handling) and answered with a NOTIFY whose body is an RFC 4235
dialog-info document, state "full", no <dialog> elements: the line is idle. Other events get
489 Bad Event.

  linphone_phone.py --server 127.0.0.1:5060 --transport udp \
      --line 69,69/0000DEADBEEF,secret69 --line 70,70/0000DEADBEEF,secret70 --seconds 30

Stdout, one line per event, flushed at once:
  STATE register line=69 state=ok message=Registration successful
  SUBSCRIBE-RECEIVED line=69 from=sip:71@example.net event=dialog to=sip:~~in~0000DEADBEEF@example.net
  NOTIFY-SENT line=69 entity=sip:69@example.net version=0 rc=0
The line an incoming SUBSCRIBE is for is the user part of its Request-URI (the Contact that
line registered); liblinphone does not hand the Request-URI to the application, so the driver
gives each line's Contact a `line=USER` URI parameter and reads it back from the SUBSCRIBE's
request line in liblinphone's own SIP log (--log). After --seconds, or on SIGTERM/SIGINT,
liblinphone terminates the subscriptions (final NOTIFY), un-REGISTERs, and the process exits 0;
a failed REGISTER exits 2.
"""
import argparse
import ctypes
import os
import re
import signal
import sys
import tempfile
import time

from linphone_client import (LIB, P, S, I, Transports, api, text, REG, SUB, LOG_DEBUG, LOG_MESSAGE,
                             factory_get, factory_core, factory_cbs, core_add_cbs, core_start,
                             core_stop, core_iterate, core_transports, core_reachable,
                             log_service, log_level)

core_create_content = api("linphone_core_create_content", P, P)
content_set_type = api("linphone_content_set_type", None, P, S)
content_set_subtype = api("linphone_content_set_subtype", None, P, S)
content_set_text = api("linphone_content_set_utf8_text", None, P, S)
event_accept = api("linphone_event_accept_subscription", I, P)
event_deny = api("linphone_event_deny_subscription", I, P, I)
event_notify = api("linphone_event_notify", I, P, P)
event_ref = api("linphone_event_ref", P, P)
event_from = api("linphone_event_get_from", P, P)
event_to = api("linphone_event_get_to", P, P)
event_header = api("linphone_event_get_custom_header", S, P, S)
address_as_string_uri_only = api("linphone_address_as_string_uri_only", P, P)
proxy_identity = api("linphone_proxy_config_get_identity", S, P)
ms_free = api("bctbx_free", None, P)

ON_REG = ctypes.CFUNCTYPE(None, P, P, I, S)          # (core, proxy config, state, message)
ON_SUBSCRIBE = ctypes.CFUNCTYPE(None, P, P, S, P)    # (core, event, event name, body)
ON_SUBSTATE = ctypes.CFUNCTYPE(None, P, P, I)        # (core, event, state)
set_on_reg = api("linphone_core_cbs_set_registration_state_changed", None, P, ON_REG)
set_on_subscribe = api("linphone_core_cbs_set_subscribe_received", None, P, ON_SUBSCRIBE)
set_on_substate = api("linphone_core_cbs_set_subscription_state_changed", None, P, ON_SUBSTATE)
REASON_BAD_EVENT = 8    # LinphoneReasonBadEvent -> 489


def uri_of(addr):
    """sip:user@host of a LinphoneAddress (no display name, no parameters)."""
    if not addr:
        return ""
    ptr = address_as_string_uri_only(addr)
    if not ptr:
        return ""
    value = ctypes.cast(ptr, S).value.decode("utf-8", "replace")
    ms_free(ptr)
    return value.split(";")[0]


def dialog_info(entity, version):
    """RFC 4235 §4: a full document with no dialogs, i.e. the line is idle."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="%d" state="full" '
            'entity="%s"/>\n' % (version, entity))


def linphonerc(a, path):
    proxy = "<sip:%s;transport=%s>" % (a.server, a.transport)
    rc = ["[sip]"]
    for t, key in (("udp", "sip_port"), ("tcp", "sip_tcp_port"), ("tls", "sip_tls_port")):
        rc.append("%s=%d" % (key, -1 if t == a.transport else 0))
    rc += ["auto_net_state_mon=0", "register_only_when_network_is_up=0", "ping_with_options=0",
           "default_proxy=0", "user_agent=switchboard-sip-tests-linphone-phone",
           "verify_server_certs=0", "verify_server_cn=0",   # our server's cert is self-signed
           "", "[misc]", "uuid=" + a.instance, "",
           "[net]", "firewall_policy=0", "", "[sound]", "echocancellation=0", ""]
    for i, (user, auth_user, password) in enumerate(a.lines):
        rc += ["[proxy_%d]" % i, "reg_proxy=" + proxy, "reg_route=" + proxy.replace(">", ";lr>"),
               "reg_identity=<sip:%s@%s>" % (user, a.domain), "reg_expires=%d" % a.expires,
               "reg_sendregister=1", "publish=0", "avpf=0",
               'contact_parameters=+sip.instance="<urn:uuid:%s>";reg-id=1' % a.instance,
               "contact_uri_parameters=line=%s" % user, "",
               "[auth_info_%d]" % i, "username=" + user, "userid=" + auth_user,
               "passwd=" + password, "realm=" + (a.realm or a.domain), "domain=" + a.domain, ""]
    with open(path, "w") as f:
        f.write("\n".join(rc))


LIBC = ctypes.CDLL(None)


class SipLog:
    """liblinphone's own log, read as it grows: the `line=` Request-URI parameter of every
    SUBSCRIBE received that opens a subscription (no To tag), in arrival order. belle-sip logs
    each message it receives before liblinphone calls the application, from the same thread."""

    def __init__(self, path):
        self.path, self.pos, self.lines = path, 0, []

    def new_subscribe_lines(self):
        LIBC.fflush(None)   # liblinphone's log goes through C stdio
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                chunk = f.read()
        except OSError:
            return self.lines
        end = 0
        for m in re.finditer(rb"\nSUBSCRIBE (sips?:\S*) SIP/2\.0\r?\n(.*?)\r?\n\r?\n", chunk, re.S):
            to = re.search(rb"(?im)^(?:To|t):[^\r\n]*", m.group(2))
            if to and b";tag=" not in to.group(0).lower():
                line = re.search(rb";line=([^;>?\s]+)", m.group(1))
                self.lines.append(line.group(1).decode() if line else "?")
            end = m.end()
        self.pos += end
        return self.lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="HOST:PORT that gets every request")
    ap.add_argument("--transport", choices=("udp", "tcp", "tls"), default="udp")
    ap.add_argument("--line", action="append", required=True, metavar="USER,AUTHUSER,PASSWORD",
                    help="one account (repeatable): AOR sip:USER@DOMAIN, digest user AUTHUSER")
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--realm", default="", help="digest realm (default: DOMAIN)")
    ap.add_argument("--instance", default="00000000-0000-1000-8000-0000deadbeef",
                    help="uuid for every line's +sip.instance")
    ap.add_argument("--expires", type=int, default=600, help="registration expiry asked for")
    ap.add_argument("--seconds", type=float, default=30.0, help="run time (SIGTERM: now)")
    ap.add_argument("--workdir", help="config, database and log directory (default: a new temp dir)")
    ap.add_argument("--log", help="liblinphone log file (default: WORKDIR/linphone.log)")
    ap.add_argument("--debug", action="store_true", help="liblinphone log at debug level")
    a = ap.parse_args()
    a.lines = [tuple(x.split(",", 2)) for x in a.line]
    if any(len(x) != 3 for x in a.lines):
        ap.error("--line takes USER,AUTHUSER,PASSWORD")
    a.workdir = a.workdir or tempfile.mkdtemp(prefix="linphone-phone.")
    os.makedirs(os.path.join(a.workdir, ".local", "share", "linphone"), exist_ok=True)
    os.environ["HOME"] = a.workdir   # liblinphone keeps its database under $HOME
    log_path = a.log or os.path.join(a.workdir, "linphone.log")

    out = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
    logfd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(logfd, 1)
    os.dup2(logfd, 2)

    def say(line):
        out.write(line + "\n")
        out.flush()

    log_level(log_service(), LOG_DEBUG if a.debug else LOG_MESSAGE)
    rc_path = os.path.join(a.workdir, "linphonerc")
    linphonerc(a, rc_path)
    factory = factory_get()
    core = factory_core(factory, rc_path.encode(), None, None)
    if not core:
        say("FATAL cannot create the linphone core")
        return 2
    users = [u for u, _, _ in a.lines]
    st = {"reg": {}, "fatal": None, "subscribes": 0}
    pending = []        # incoming SUBSCRIBEs waiting for their line (from the log)
    keep = []
    sip_log = SipLog(log_path)

    def line_of(ident):
        m = re.match(r"<?sips?:([^@>]+)@", ident)
        return m.group(1) if m else ident

    @ON_REG
    def on_reg(_core, cfg, state, message):
        line = line_of(text(proxy_identity(cfg))) if cfg else "?"
        st["reg"][line] = state
        say("STATE register line=%s state=%s message=%s" % (line, REG.get(state, state), text(message)))
        if state == 4:
            st["fatal"] = "REGISTER of line %s failed: %s" % (line, text(message))

    def answer(ev, name, line):
        frm, to = uri_of(event_from(ev)), uri_of(event_to(ev))
        say("SUBSCRIBE-RECEIVED line=%s from=%s event=%s to=%s" % (line, frm, name, to))
        if name != "dialog":
            event_deny(ev, REASON_BAD_EVENT)
            return
        event_accept(ev)                       # 200 OK
        content = core_create_content(core)
        content_set_type(content, b"application")
        content_set_subtype(content, b"dialog-info+xml")
        entity = "sip:%s@%s" % (line, a.domain)
        content_set_text(content, dialog_info(entity, 0).encode())
        rc = event_notify(ev, content)
        say("NOTIFY-SENT line=%s entity=%s version=0 rc=%d" % (line, entity, rc))

    @ON_SUBSCRIBE
    def on_subscribe(_core, ev, name, _body):
        # The SUBSCRIBE is in the log before liblinphone calls us: the n-th callback is the
        # n-th SUBSCRIBE (without a To tag) the log shows.
        st["subscribes"] += 1
        seen = sip_log.new_subscribe_lines()
        line = seen[st["subscribes"] - 1] if len(seen) >= st["subscribes"] else "?"
        event_ref(ev)
        keep.append(ev)
        answer(ev, text(name), line)

    @ON_SUBSTATE
    def on_substate(_core, ev, state):
        say("STATE subscription from=%s state=%s" % (uri_of(event_from(ev)), SUB.get(state, state)))

    cbs = factory_cbs(factory)
    set_on_reg(cbs, on_reg)
    set_on_subscribe(cbs, on_subscribe)
    set_on_substate(cbs, on_substate)
    core_add_cbs(core, cbs)
    if core_start(core) != 0:
        say("FATAL linphone_core_start failed")
        return 2
    ports = Transports(*[-1 if t == a.transport else 0 for t in ("udp", "tcp", "dtls", "tls")])
    if core_transports(core, ctypes.byref(ports)) != 0:
        say("FATAL cannot open a %s transport" % a.transport)
        return 2
    core_reachable(core, 1)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    announced = False
    end = time.time() + a.seconds
    while time.time() < end and not st["fatal"] and not stop:
        core_iterate(core)
        if not announced and all(st["reg"].get(u) == 2 for u in users):
            say("REGISTERED lines=%s" % ",".join(users))
            announced = True
        time.sleep(0.02)
    core_stop(core)   # terminates the subscriptions (final NOTIFY) and un-REGISTERs, bounded
    if st["fatal"]:
        say("FATAL " + st["fatal"])
    else:
        say("DONE subscribes=%d" % st["subscribes"])
    out.flush()
    os._exit(2 if st["fatal"] else 0)


if __name__ == "__main__":
    sys.exit(main())
