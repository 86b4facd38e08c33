"""INVITE forking with CANCEL through the proxy (RFC 3261 §16.7, §16.10): lines 69 and 70 of
phone 0000DEADBEEF register; a caller (user 71) INVITEs sip:~~in~0000DEADBEEF@example.net,
answers the 407, both lines ring (180, forwarded upstream), the caller CANCELs: it gets 200 for
the CANCEL, each line gets a CANCEL and answers 487, the caller gets exactly one 487 and ACKs.
Usage: proxy_invite_cancel.py SIP_PORT"""
import sys
import uuid

from sipua import UA, branch, digest, register, request

port = int(sys.argv[1])
lines = {user: UA(port, f"line{user}") for user in ("69", "70")}
register(lines["69"], "69", "69/0000DEADBEEF", "secret69")
register(lines["70"], "70", "70/0000DEADBEEF", "secret70")
caller = UA(port, "caller")
target = "sip:~~in~0000DEADBEEF@example.net"
call_id = uuid.uuid4().hex

first_branch = branch()
caller.send(request(caller, "INVITE", target, "71", call_id=call_id, via_branch=first_branch))
challenge = caller.response("INVITE", 407)
to_tag = challenge.get("To").split("tag=")[1]
caller.send(request(caller, "ACK", target, "71", call_id=call_id, via_branch=first_branch, to_tag=to_tag,
                    cseq=1).replace("CSeq: 1 ACK", "CSeq: 1 ACK"))
auth = digest(challenge.get("Proxy-Authenticate"), "INVITE", target, "71/0004F2ABCDEF", "secret71")
invite_branch = branch()
caller.send(request(caller, "INVITE", target, "71", call_id=call_id, cseq=2, via_branch=invite_branch,
                    extra=[f"Proxy-Authorization: {auth}"]))

invites = {}
for user, ua in lines.items():
    invite = ua.request("INVITE")
    assert invite.uri.startswith(f"sip:{user}@127.0.0.1:{ua.port}"), invite.uri
    assert invite.lines("Record-Route"), "the INVITE is record-routed"
    assert not invite.get("Proxy-Authorization"), "credentials consumed by the proxy"
    ua.answer(invite, 180, "Ringing", to_tag=f"l{user}")
    invites[user] = invite

rings = [caller.wait(lambda m: m.is_response and m.status == 180, what="180") for _ in lines]
assert {r.get("To").split("tag=")[1] for r in rings} == {"l69", "l70"}, rings

caller.send(request(caller, "CANCEL", target, "71", call_id=call_id, cseq=2, via_branch=invite_branch)
            .replace("CSeq: 2 CANCEL", "CSeq: 2 CANCEL"))
assert caller.response("CANCEL").status == 200

for user, ua in lines.items():
    cancel = ua.request("CANCEL")
    assert cancel.get("Via") == invites[user].get("Via"), "the CANCEL has its INVITE's top Via (§9.1)"
    ua.answer(cancel, 200, "OK", to_tag=f"l{user}")
    ua.answer(invites[user], 487, "Request Terminated", to_tag=f"l{user}")
    ack = ua.request("ACK")
    assert ack.uri == invites[user].uri

final = caller.response("INVITE")
assert final.status == 487, final.start
caller.send(request(caller, "ACK", target, "71", call_id=call_id, cseq=2, via_branch=invite_branch,
                    to_tag=final.get("To").split("tag=")[1]))
caller.quiet(1.0)
print("invite-cancel: both lines rang and were cancelled; the caller got 487")
