#!/usr/bin/env python3
"""A browser for the tests, started through $BROWSER with the sign-in address.

It does what a person's browser does: opens the authorization page (the test server
consents at once), follows the redirect to Outpost's loopback address, and shows the page
there. Names are looked up in BROWSER_HOSTS ("name=ip,…") first, like an /etc/hosts entry;
the test CA comes from SSL_CERT_FILE. BROWSER_CONSENT=deny makes the person decline.
What it saw goes to BROWSER_LOG: the final address and page text.
"""
import os
import socket
import ssl
import sys
import urllib.request

hosts = dict(p.split("=", 1) for p in os.environ.get("BROWSER_HOSTS", "").split(",") if "=" in p)
real = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: real(hosts.get(host, host), *a, **k)

url = sys.argv[1]
if os.environ.get("BROWSER_CONSENT") == "deny":
    url += "&consent=deny"
ctx = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"))
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))
log = os.environ.get("BROWSER_LOG")
try:
    with opener.open(url, timeout=30) as resp:
        text = resp.read().decode()
        final = resp.geturl()
except urllib.error.HTTPError as e:
    text, final = e.read().decode(), e.geturl()
if log:
    with open(log, "a") as f:
        f.write(final + "\n" + text + "\n")
