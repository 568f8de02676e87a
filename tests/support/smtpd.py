#!/usr/bin/env python3
"""A real SMTP server for Outpost's tests, built on aiosmtpd (not our code).

Modes:
  tls       implicit TLS from the first byte (like port 465)
  starttls  plain, offers STARTTLS; AUTH only after TLS (like port 587)
  plain     plain, no STARTTLS offered; AUTH only after TLS, so never
  stall     accepts connections and never says anything
Prints "PORT <n>" on stdout once it listens on 127.0.0.1. Credentials come from
the environment (SMTPD_USER, SMTPD_PASSWORD) so they never show in a process list.
Received messages are written to --out DIR, one file each.
"""
import argparse
import asyncio
import logging
import os
import socket
import ssl
import sys
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd logs a deprecation notice on every login; the tests do not need it.
logging.getLogger("mail.log").setLevel(logging.ERROR)


REPLIES = {}  # stage (auth, mail, rcpt, data) -> a recorded provider reply, with --reply
RCPT_LIMIT = None  # with --rcpt-limit N: RCPTs past the Nth of a transaction get REPLIES["rcpt"]


def recorded(stage):
    """The reply recorded for `stage`, its lines joined as a server sends them."""
    text = REPLIES.get(stage)
    if not text:
        return None
    return "\r\n".join(text.replace("\\n", "\n").splitlines())


class Handler:
    def __init__(self, out, fail_first=0, refuse=(), drop_after_data=False, data_delay=0.0,
                 defer_once=()):
        self.out = out
        self.defer_once = set(defer_once)
        self.data_delay = data_delay
        self.fail_first = fail_first
        self.refuse = set(refuse)
        self.drop_after_data = drop_after_data

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if recorded("mail"):
            return recorded("mail")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if recorded("rcpt") and (RCPT_LIMIT is None or len(envelope.rcpt_tos) >= RCPT_LIMIT):
            return recorded("rcpt")
        if address in self.defer_once:
            self.defer_once.discard(address)
            return f"450 4.2.1 <{address}>: Mailbox busy, try again later"
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.data_delay)
        if recorded("data"):
            return recorded("data")
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 Temporary local problem, try again later"
        if self.drop_after_data:
            # The message was received, but the connection breaks before the reply.
            self.drop_after_data = False
            self.save(envelope, "DROPPED")
            server.transport.close()
            return None
        queue_id = uuid.uuid4().hex[:12].upper()
        self.save(envelope, queue_id)
        return "250 2.0.0 Ok: queued as " + queue_id

    def save(self, envelope, queue_id):
        if self.out:
            path = os.path.join(self.out, queue_id + ".eml")
            with open(path, "wb") as f:
                f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
                for rcpt in envelope.rcpt_tos:
                    f.write(b"X-Envelope-To: " + rcpt.encode() + b"\r\n")
                f.write(envelope.original_content)
            # MAIL's parameters (SIZE=…, BODY=8BITMIME, SMTPUTF8) beside it.
            with open(os.path.join(self.out, queue_id + ".mail"), "w") as f:
                f.write(" ".join(envelope.mail_options))


def authenticator(user, password, out):
    """Checks the login, and notes each attempt in OUT/auth.log ("AUTH <login> ok|refused")."""
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        if recorded("auth"):
            ok = False
        if out:
            with open(os.path.join(out, "auth.log"), "a") as f:
                f.write("AUTH %s %s\n" % (auth_data.login.decode(), "ok" if ok else "refused"))
        if recorded("auth"):
            return AuthResult(success=False, handled=False, message=recorded("auth"))
        return AuthResult(success=ok, handled=False)

    return check


GREETING_DELAY = 0.0


class DelayedGreetingSMTP(SMTP):
    """Waits --greeting-delay seconds before the 220 greeting, like a distant server."""

    async def _handle_client(self):
        await asyncio.sleep(GREETING_DELAY)
        await super()._handle_client()


class NtlmOnlySMTP(SMTP):
    """Offers only NTLM, a login method Outpost does not speak (with --ntlm-only)."""

    async def auth_NTLM(self, server, args):
        return AuthResult(success=False, handled=False)


INTROSPECT = None  # (url, ssl context) with --xoauth2-introspect


def introspect(token):
    """Asks the authorization server whether `token` is active (RFC 7662); its user or None."""
    import json
    import urllib.parse
    import urllib.request
    url, ctx = INTROSPECT
    body = urllib.parse.urlencode({"token": token}).encode()
    req = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
        answer = json.load(resp)
    return answer.get("username") if answer.get("active") else None


async def bearer_login(session, mechanism, args, parse, error, answer=None):
    """A bearer-token login (XOAUTH2, OAUTHBEARER): `parse` reads the decoded initial
    response into (user, token); the token is checked at the introspection endpoint. A
    refused one gets a 334 with `error` (JSON, base64), then 535 once the client has answered
    it (with `answer` when the mechanism prescribes one)."""
    import base64
    import json
    if len(args) != 2:
        await session.push("501 5.5.2 %s needs the initial response" % mechanism)
        return AuthResult(success=False, handled=True)
    try:
        user, token = parse(base64.b64decode(args[1], validate=True).decode())
    except Exception as e:
        await session.push("501 5.5.2 malformed %s string: %s" % (mechanism, e))
        return AuthResult(success=False, handled=True)
    loop = asyncio.get_running_loop()
    owner = await loop.run_in_executor(None, introspect, token)
    if owner is not None and owner == user:
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
    said = await session.challenge_auth(json.dumps(error).encode())
    if answer is not None and said != answer:
        await session.push("501 5.5.2 the client must answer the error with %r" % answer)
        return AuthResult(success=False, handled=True)
    return AuthResult(success=False, handled=False,
                      message="535 5.7.8 Username and Password not accepted (%s)" % mechanism)


class Xoauth2Mixin:
    """AUTH XOAUTH2 as Gmail speaks it: the initial response is
    base64("user=" user ^A "auth=Bearer " token ^A ^A); a refused token gets a 334 with a
    base64 JSON error, then 535 after the client's empty line."""

    async def auth_XOAUTH2(self, server, args):
        def parse(text):
            fields = text.split("\x01")
            assert len(fields) == 4 and fields[2:] == ["", ""], fields
            assert fields[0].startswith("user=") and fields[1].startswith("auth=Bearer ")
            return fields[0].removeprefix("user="), fields[1].removeprefix("auth=Bearer ")
        error = {"status": "401", "schemes": "bearer", "scope": "smtp"}
        return await bearer_login(self, "XOAUTH2", args, parse, error)


class OauthbearerMixin:
    """AUTH OAUTHBEARER (RFC 7628): the initial response is base64("n,a=" user "," ^A
    "auth=Bearer " token ^A ^A), other key-value pairs (host, port) allowed; a refused token
    gets a 334 with a base64 JSON error, and 535 once the client answers it with ^A."""

    async def auth_OAUTHBEARER(self, server, args):
        def parse(text):
            fields = text.split("\x01")
            assert fields[-2:] == ["", ""], fields
            gs2 = fields[0].split(",")
            assert gs2[0] == "n" and gs2[1].startswith("a="), gs2
            user = gs2[1][2:].replace("=2C", ",").replace("=3D", "=")
            auth = [f for f in fields[1:] if f.startswith("auth=Bearer ")]
            assert len(auth) == 1, fields
            return user, auth[0].removeprefix("auth=Bearer ")
        error = {"status": "invalid_token", "scope": "smtp"}
        return await bearer_login(self, "OAUTHBEARER", args, parse, error, answer=b"\x01")


class No8BitMimeMixin:
    """Leaves 8BITMIME out of EHLO (with --no-8bitmime), as some old servers do."""

    async def push(self, status):
        if isinstance(status, str) and status.startswith("250-8BITMIME"):
            return
        await super().push(status)


async def stall(reader, writer):
    await asyncio.sleep(3600)


async def exit_with_parent():
    """Stop when the test that started us is gone, even if it could not clean up."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(0.5)
    os._exit(0)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["tls", "starttls", "plain", "stall"], required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--out")
    ap.add_argument("--ntlm-only", action="store_true")
    ap.add_argument("--exclude-auth", action="append", default=[], metavar="MECHANISM",
                    help="do not offer this login method (LOGIN alone: --exclude-auth PLAIN)")
    ap.add_argument("--greeting-delay", type=float, default=0.0)
    ap.add_argument("--fail-first", type=int, default=0, help="answer 451 to the first N DATA")
    ap.add_argument("--refuse-rcpt", action="append", default=[], help="answer 550 to RCPT of ADDR")
    ap.add_argument("--drop-after-data", action="store_true", help="close after the first message")
    ap.add_argument("--data-delay", type=float, default=0.0, help="wait before answering the final dot")
    ap.add_argument("--max-size", type=int, default=33554432, help="the SIZE announced in EHLO")
    ap.add_argument("--tls-max", choices=["1.0", "1.1"],
                    help="offer no TLS version above this one (an outdated server)")
    ap.add_argument("--defer-rcpt-once", action="append", default=[],
                    help="answer 450 to the first RCPT of ADDR, 250 later")
    ap.add_argument("--xoauth2-introspect", metavar="URL",
                    help="offer AUTH OAUTHBEARER and XOAUTH2, checking tokens at this introspection endpoint")
    ap.add_argument("--ca", help="the CA that signed the introspection endpoint's certificate")
    ap.add_argument("--reply", action="append", default=[], metavar="STAGE=TEXT",
                    help="answer every AUTH, MAIL, RCPT or DATA with TEXT (lines joined by \\n)")
    ap.add_argument("--smtputf8", action="store_true", help="announce SMTPUTF8 (RFC 6531)")
    ap.add_argument("--no-8bitmime", action="store_true", help="leave 8BITMIME out of EHLO")
    ap.add_argument("--rcpt-limit", type=int,
                    help="with --reply rcpt=…: accept this many RCPTs per transaction first")
    args = ap.parse_args()
    global RCPT_LIMIT
    RCPT_LIMIT = args.rcpt_limit
    for r in args.reply:
        stage, text = r.split("=", 1)
        REPLIES[stage] = text

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this: without it, Nagle's algorithm holds back each line of a
    # multi-line reply until the client's delayed ACK, 40 ms later.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    loop = asyncio.get_running_loop()

    if args.mode == "stall":
        server = await asyncio.start_server(stall, sock=sock)
    else:
        ctx = None
        if args.cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(args.cert, args.key)
            if args.tls_max:
                # OpenSSL refuses these versions at its default security level.
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = ssl.TLSVersion.TLSv1
                ctx.maximum_version = {"1.0": ssl.TLSVersion.TLSv1,
                                       "1.1": ssl.TLSVersion.TLSv1_1}[args.tls_max]
        auth = authenticator(os.environ.get("SMTPD_USER", ""), os.environ.get("SMTPD_PASSWORD", ""),
                             args.out)
        handler = Handler(args.out, args.fail_first, args.refuse_rcpt, args.drop_after_data,
                          args.data_delay, args.defer_rcpt_once)
        cls, extra = SMTP, {"data_size_limit": args.max_size}
        if args.greeting_delay:
            global GREETING_DELAY
            GREETING_DELAY = args.greeting_delay
            cls = DelayedGreetingSMTP
        if args.xoauth2_introspect:
            global INTROSPECT
            INTROSPECT = (args.xoauth2_introspect, ssl.create_default_context(cafile=args.ca))
            cls = type("OauthSMTP", (Xoauth2Mixin, OauthbearerMixin, cls), {})
        if args.exclude_auth:
            extra["auth_exclude_mechanism"] = args.exclude_auth
        if args.smtputf8:
            extra["enable_SMTPUTF8"] = True
        if args.no_8bitmime:
            cls = type("No8BitMimeSMTP", (No8BitMimeMixin, cls), {})
        if args.ntlm_only:
            cls = NtlmOnlySMTP
            extra["auth_exclude_mechanism"] = ["PLAIN", "LOGIN"]
        if args.mode == "tls":
            factory = lambda: cls(handler, hostname="mail.example.test", authenticator=auth,
                                  auth_require_tls=False, **extra)
            server = await loop.create_server(factory, sock=sock, ssl=ctx)
        else:
            tls = ctx if args.mode == "starttls" else None
            factory = lambda: cls(handler, hostname="mail.example.test", tls_context=tls,
                                  authenticator=auth, auth_require_tls=True, **extra)
            server = await loop.create_server(factory, sock=sock)

    asyncio.ensure_future(exit_with_parent())
    print("PORT", sock.getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
