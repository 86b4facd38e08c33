#!/usr/bin/env python3
"""linphone_client.py - a headless liblinphone SIP client for sip-tests.

Drives Debian's liblinphone (package liblinphone10, liblinphone.so.10) through ctypes:
no compiled code and no Python binding. One account, optional REGISTER, one SUBSCRIBE.

  linphone_client.py --server 127.0.0.1:5061 --transport tls --user 69 \
      --auth-user 69/0000DEADBEEF --password secret69 \
      --subscribe 'sips:~~cf~0000DEADBEEF@example.net' --event http-monitor --seconds 20

Every request goes to --server (outbound proxy + route), whatever the URI's domain.
Stdout gets one line per NOTIFY received, flushed at once:
  NOTIFY event=http-monitor state=active;expires=3600 type=message/http body=HTTP/1.1 200 OK\\r\\nETag: ...
(the body on one line, CR LF written as the four characters \\r\\n; state is the NOTIFY's
Subscription-State) and a few `STATE ...` lines. After --seconds, or on SIGTERM/SIGINT, the
subscription is terminated (un-SUBSCRIBE) and the process exits 0; a failed REGISTER or
SUBSCRIBE exits 2. liblinphone's own log, every SIP message included, goes to --log
(default: WORKDIR/linphone.log).
"""
import argparse
import ctypes
import os
import signal
import sys
import tempfile
import time

try:
    LIB = ctypes.CDLL("liblinphone.so.10")
except OSError as exc:
    sys.exit("linphone_client: liblinphone.so.10 missing (apt-get install liblinphone10): %s" % exc)

P, S, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int


def api(name, restype, *argtypes):
    func = getattr(LIB, name)
    func.restype, func.argtypes = restype, list(argtypes)
    return func


class Transports(ctypes.Structure):  # LinphoneSipTransports: udp, tcp, dtls, tls ports
    _fields_ = [("udp", I), ("tcp", I), ("dtls", I), ("tls", I)]


factory_get = api("linphone_factory_get", P)
factory_core = api("linphone_factory_create_core_3", P, P, S, S, P)
factory_cbs = api("linphone_factory_create_core_cbs", P, P)
factory_address = api("linphone_factory_create_address", P, P, S)
core_add_cbs = api("linphone_core_add_callbacks", None, P, P)
core_start = api("linphone_core_start", I, P)
core_stop = api("linphone_core_stop", None, P)
core_iterate = api("linphone_core_iterate", None, P)
core_transports = api("linphone_core_set_sip_transports", I, P, ctypes.POINTER(Transports))
core_reachable = api("linphone_core_set_network_reachable", None, P, ctypes.c_ubyte)
core_proxy = api("linphone_core_get_default_proxy_config", P, P)
core_subscribe = api("linphone_core_create_subscribe_2", P, P, P, P, S, I)
event_send = api("linphone_event_send_subscribe", I, P, P)
event_terminate = api("linphone_event_terminate", None, P)
event_header = api("linphone_event_get_custom_header", S, P, S)
event_add_header = api("linphone_event_add_custom_header", None, P, S, S)
event_reason = api("linphone_event_get_reason", I, P)
reason_name = api("linphone_reason_to_string", S, I)
content_type = api("linphone_content_get_type", S, P)
content_subtype = api("linphone_content_get_subtype", S, P)
content_text = api("linphone_content_get_utf8_text", S, P)
log_service = api("linphone_logging_service_get", P)
log_level = api("linphone_logging_service_set_log_level", None, P, I)

ON_REG = ctypes.CFUNCTYPE(None, P, P, I, S)      # (core, proxy config, state, message)
ON_NOTIFY = ctypes.CFUNCTYPE(None, P, P, S, P)   # (core, event, event name, content)
ON_SUBSTATE = ctypes.CFUNCTYPE(None, P, P, I)    # (core, event, state)
set_on_reg = api("linphone_core_cbs_set_registration_state_changed", None, P, ON_REG)
set_on_notify = api("linphone_core_cbs_set_notify_received", None, P, ON_NOTIFY)
set_on_substate = api("linphone_core_cbs_set_subscription_state_changed", None, P, ON_SUBSTATE)

REG = {0: "none", 1: "progress", 2: "ok", 3: "cleared", 4: "failed", 5: "refreshing"}
SUB = {0: "none", 1: "outgoing-progress", 2: "incoming", 3: "pending", 4: "active",
       5: "terminated", 6: "error", 7: "expiring"}
LOG_MESSAGE, LOG_DEBUG = 4, 1   # LinphoneLogLevel: Debug=1, Trace=2, Message=4, ...


def text(ptr):
    return ptr.decode("utf-8", "replace") if ptr else ""


def linphonerc(a):
    """The config file: SIP ports off except the chosen transport, one account, its auth."""
    proxy = "<sip:%s;transport=%s>" % (a.server, a.transport)
    rc = ["[sip]"]
    for t, key in (("udp", "sip_port"), ("tcp", "sip_tcp_port"), ("tls", "sip_tls_port")):
        rc.append("%s=%d" % (key, -1 if t == a.transport else 0))
    rc += ["auto_net_state_mon=0", "register_only_when_network_is_up=0", "ping_with_options=0",
           "default_proxy=0", "user_agent=switchboard-sip-tests-linphone",
           "verify_server_certs=0", "verify_server_cn=0",   # our server's cert is self-signed
           "", "[net]", "firewall_policy=0", "", "[sound]", "echocancellation=0", "",
           "[proxy_0]", "reg_proxy=" + proxy, "reg_route=" + proxy.replace(">", ";lr>"),
           "reg_identity=<sip:%s@%s>" % (a.user, a.domain), "reg_expires=600",
           "reg_sendregister=%d" % (1 if a.register else 0), "publish=0", "",
           "[auth_info_0]", "username=" + a.user, "userid=" + a.auth_user,
           "passwd=" + a.password, "realm=" + (a.realm or a.domain), "domain=" + a.domain, ""]
    path = os.path.join(a.workdir, "linphonerc")
    with open(path, "w") as f:
        f.write("\n".join(rc))
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="HOST:PORT that gets every request")
    ap.add_argument("--transport", choices=("udp", "tcp", "tls"), default="tls")
    ap.add_argument("--user", required=True, help="AOR user: identity sip:USER@DOMAIN")
    ap.add_argument("--auth-user", help="digest username (default: USER)")
    ap.add_argument("--password", required=True)
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--realm", default="", help="digest realm (default: DOMAIN)")
    ap.add_argument("--register", action="store_true", help="REGISTER first, SUBSCRIBE once it is ok")
    ap.add_argument("--subscribe", metavar="URI", help="resource to SUBSCRIBE to")
    ap.add_argument("--event", default="http-monitor")
    ap.add_argument("--accept", help="Accept of the SUBSCRIBE (default for --event dialog: "
                    "application/dialog-info+xml; else liblinphone's own)")
    ap.add_argument("--expires", type=int, default=3600)
    ap.add_argument("--seconds", type=float, default=20.0, help="run time before un-SUBSCRIBE (SIGTERM: now)")
    ap.add_argument("--workdir", help="config, database and log directory (default: a new temp dir)")
    ap.add_argument("--log", help="liblinphone log file (default: WORKDIR/linphone.log)")
    ap.add_argument("--debug", action="store_true", help="liblinphone log at debug level")
    a = ap.parse_args()
    a.auth_user = a.auth_user or a.user
    if a.accept is None and a.event == "dialog":
        a.accept = "application/dialog-info+xml"   # RFC 4235 §3.1
    a.workdir = a.workdir or tempfile.mkdtemp(prefix="linphone-client.")
    os.makedirs(os.path.join(a.workdir, ".local", "share", "linphone"), exist_ok=True)
    os.environ["HOME"] = a.workdir   # liblinphone keeps its database under $HOME

    # liblinphone logs to fds 1 and 2: give them the log file, keep our stdout and stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
    logfd = os.open(a.log or os.path.join(a.workdir, "linphone.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(logfd, 1)
    os.dup2(logfd, 2)

    def say(line):
        out.write(line + "\n")
        out.flush()

    log_level(log_service(), LOG_DEBUG if a.debug else LOG_MESSAGE)
    factory = factory_get()
    core = factory_core(factory, linphonerc(a).encode(), None, None)
    if not core:
        say("FATAL cannot create the linphone core")
        return 2
    st = {"reg": 0, "sub": 0, "active": False, "fatal": None}

    @ON_REG
    def on_reg(_core, _cfg, state, message):
        st["reg"] = state
        say("STATE register=%s message=%s" % (REG.get(state, state), text(message)))
        if state == 4:
            st["fatal"] = "REGISTER failed: %s" % text(message)

    @ON_NOTIFY
    def on_notify(_core, ev, name, content):
        ctype = body = ""
        if content:
            ctype = "%s/%s" % (text(content_type(content)), text(content_subtype(content)))
            body = text(content_text(content)).replace("\r", "\\r").replace("\n", "\\n")
        substate = text(event_header(ev, b"Subscription-State")) or SUB.get(st["sub"], "?")
        say("NOTIFY event=%s state=%s type=%s body=%s" % (text(name), substate.replace(" ", ""), ctype, body))

    @ON_SUBSTATE
    def on_substate(_core, ev, state):
        st["sub"] = state
        st["active"] = st["active"] or state == 4
        reason = text(reason_name(event_reason(ev))).replace(" ", "-")
        say("STATE subscription=%s reason=%s" % (SUB.get(state, state), reason))
        if state == 6:
            st["fatal"] = "SUBSCRIBE failed: %s" % reason

    cbs = factory_cbs(factory)
    set_on_reg(cbs, on_reg)
    set_on_notify(cbs, on_notify)
    set_on_substate(cbs, on_substate)
    core_add_cbs(core, cbs)
    if core_start(core) != 0:
        say("FATAL linphone_core_start failed")
        return 2
    # The listening points only exist once the transports are set on the started core.
    ports = Transports(*[-1 if t == a.transport else 0 for t in ("udp", "tcp", "dtls", "tls")])
    if core_transports(core, ctypes.byref(ports)) != 0:
        say("FATAL cannot open a %s transport" % a.transport)
        return 2
    core_reachable(core, 1)

    stop = []   # SIGTERM / SIGINT end the run early, with the same clean un-SUBSCRIBE
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    event = None
    end = time.time() + a.seconds
    while time.time() < end and not st["fatal"] and not stop:
        core_iterate(core)
        if a.subscribe and event is None and (st["reg"] == 2 or not a.register):
            event = core_subscribe(core, factory_address(factory, a.subscribe.encode()),
                                   core_proxy(core), a.event.encode(), a.expires)
            if event and a.accept:
                event_add_header(event, b"Accept", a.accept.encode())
            if not event or event_send(event, None) != 0:
                st["fatal"] = "cannot send SUBSCRIBE to %s" % a.subscribe
                break
            say("STATE subscribe-sent uri=%s event=%s expires=%d" % (a.subscribe, a.event, a.expires))
        time.sleep(0.02)
    if event and st["sub"] in (1, 3, 4, 7):
        # un-SUBSCRIBE. liblinphone drops the dialog at once (state terminated); keep
        # iterating a moment so the 200 and the final NOTIFY still get processed.
        event_terminate(event)
        linger = time.time() + 1.0
        while time.time() < linger:
            core_iterate(core)
            time.sleep(0.02)
    core_stop(core)   # un-REGISTER if registered; bounded by liblinphone
    if a.subscribe and not st["active"] and not st["fatal"]:
        st["fatal"] = "the subscription never became active"
    if st["fatal"]:
        say("FATAL " + st["fatal"])
    else:
        say("DONE subscription=%s" % SUB.get(st["sub"], st["sub"]))
    out.flush()
    os._exit(2 if st["fatal"] else 0)   # skip liblinphone's destructors racing our callbacks


if __name__ == "__main__":
    sys.exit(main())
