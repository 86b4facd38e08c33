"""The proxy's refusals (RFC 3261 §16.3, §16.5): 404 for an unknown user, 480 for a known user
with no binding, 483 for Max-Forwards 0, and 482 for a real loop — user 72 registers the
contact sip:72@example.net with a Path through the proxy itself, so a request to 72 comes back
unchanged and the proxy finds its own Via with the same hash.
Usage: proxy_errors.py SIP_PORT"""
import sys

from sipua import UA, register, request

port = int(sys.argv[1])
ua = UA(port, "tester")

def ask(uri, user="bob", **kw):
    text = request(ua, "MESSAGE", uri, user, **kw).replace("@example.net>;tag=ft", "@elsewhere.example>;tag=ft", 1)
    ua.send(text)
    return ua.response("MESSAGE").status

assert (s := ask("sip:nobody@example.net")) == 404, s
assert (s := ask("sip:73@example.net")) == 480, s  # a user who never registered
assert (s := ask("sip:~~in~0004F2ABCDEF@example.net")) == 480, s  # a phone with no binding
assert (s := ask("sip:69@example.net", max_forwards=0)) == 483, s

looper = UA(port, "line72")
register(looper, "72", "72/0000000000AA", "secret72",
         extra=[f"Path: <sip:127.0.0.1:{port};transport=udp;lr>", "Supported: path"], contact="<sip:72@example.net>")
assert (s := ask("sip:72@example.net")) == 482, s
print("errors: 404, 480, 480, 483, 482")
