#!/usr/bin/env python3
"""An OAuth2 authorization server for the tests, on loopback over HTTPS.

Follows RFC 6749 (authorization code grant, refresh tokens, errors of §4.1.2.1 and §5.2),
RFC 7636 (PKCE, S256 only) and RFC 8252 §7.3 (loopback redirect, any port), and the open
public client profile (draft-ietf-mailmaint-oauth-public): metadata (RFC 8414), dynamic
registration of public clients (RFC 7591), `iss` in authorization responses (RFC 9207) and,
with --resource, resource indicators required (RFC 8707). Consent is given at once, as if
the person clicked "Allow"; a browser that adds `consent=deny` to the authorization request
declines instead.

  GET  /.well-known/oauth-authorization-server   the metadata; the issuer is
                     https://auth.example.test:<port>
  POST /register     registers a public client (JSON), loopback redirects only
  GET  /authorize    the authorization endpoint: 302 to the redirect_uri with code or error
  POST /token        the token endpoint: authorization_code and refresh_token grants
  POST /introspect   RFC 7662 introspection, for the SMTP server that checks XOAUTH2
  POST /admin/revoke revokes every token (as when the person removes the app's access)
  POST /admin/expire lets every access token and authorization code expire now (refresh
                     tokens stay valid)
  GET  /admin/stats  counts of requests, JSON

Prints "PORT n" once listening.
"""
import argparse
import base64
import hashlib
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.RLock()
CODES = {}      # code -> {client_id, redirect_uri, challenge, expires, used, user, tokens}
ACCESS = {}     # token -> {user, expires, revoked}
REFRESH = {}    # token -> {user, client_id, revoked}
REGISTERED = {}  # client_id -> client metadata, for clients registered at run time
ISSUER = ""     # https://auth.example.test:<port>, once listening
STATS = {"authorize": 0, "authorization_code": 0, "refresh_token": 0, "refused": 0,
         "introspect": 0, "register": 0, "metadata": 0}


def loopback_redirect(uri):
    """RFC 8252 §7.3: http, the loopback IP literal, any port."""
    u = urllib.parse.urlsplit(uri)
    return u.scheme == "http" and u.hostname == "127.0.0.1" and u.port is not None


def loopback_registered(uri):
    """A redirect a native client may register: http on the loopback IP, any port later."""
    u = urllib.parse.urlsplit(uri)
    return u.scheme == "http" and u.hostname == "127.0.0.1"


def metadata():
    base = ISSUER
    doc = {"issuer": base,
           "authorization_endpoint": base + "/authorize",
           "token_endpoint": base + "/token",
           "scopes_supported": ARGS.scope.split(),
           "response_types_supported": ["code"],
           "grant_types_supported": ["authorization_code", "refresh_token"],
           "code_challenge_methods_supported": ["S256"],
           "token_endpoint_auth_methods_supported": ["none", "client_secret_post",
                                                     "client_secret_basic"],
           "authorization_response_iss_parameter_supported": ARGS.iss != "none"}
    if not ARGS.no_registration:
        doc["registration_endpoint"] = base + "/register"
    if ARGS.resource:
        doc["protected_resources"] = [ARGS.resource]
    return doc


def s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("oauth_server: " + (fmt % args) + "\n")

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def page(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, uri, params):
        sep = "&" if urllib.parse.urlsplit(uri).query else "?"
        self.send_response(302)
        self.send_header("Location", uri + sep + urllib.parse.urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def form(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return None
        pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
        names = [k for k, _ in pairs]
        if len(names) != len(set(names)):
            return None  # RFC 6749 §3.1: parameters must not repeat
        return dict(pairs)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/authorize":
            return self.authorize(dict(urllib.parse.parse_qsl(url.query)))
        if url.path == "/.well-known/oauth-authorization-server":
            with LOCK:
                STATS["metadata"] += 1
            return self.send_json(200, metadata())
        if url.path == "/admin/stats":
            with LOCK:
                return self.send_json(200, STATS)
        self.page(404, "not found")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/admin/revoke":
            with LOCK:
                for t in list(ACCESS.values()) + list(REFRESH.values()):
                    t["revoked"] = True
            return self.send_json(200, {"revoked": True})
        if path == "/admin/expire":
            with LOCK:
                for t in list(ACCESS.values()) + list(CODES.values()):
                    t["expires"] = time.time() - 1
            return self.send_json(200, {"expired": True})
        if path == "/register" and not ARGS.no_registration:
            return self.register()
        form = self.form()
        if form is None:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "form-encoded body expected"})
        if path == "/token":
            return self.token(form)
        if path == "/introspect":
            with LOCK:
                STATS["introspect"] += 1
                t = ACCESS.get(form.get("token", ""))
                active = bool(t) and not t["revoked"] and t["expires"] > time.time()
                body = {"active": active}
                if active:
                    body.update(username=t["user"], exp=int(t["expires"]))
            return self.send_json(200, body)
        self.page(404, "not found")

    def register(self):
        length = int(self.headers.get("Content-Length", "0"))
        try:
            meta = json.loads(self.rfile.read(length).decode())
        except ValueError:
            return self.send_json(400, {"error": "invalid_client_metadata",
                                        "error_description": "the body is not JSON"})
        with LOCK:
            STATS["register"] += 1
        if ARGS.refuse_registration:
            return self.send_json(400, {"error": "invalid_client_metadata",
                                        "error_description": ARGS.refuse_registration})
        uris = meta.get("redirect_uris") or []
        if not uris or not all(loopback_registered(u) for u in uris):
            return self.send_json(400, {"error": "invalid_redirect_uri",
                                        "error_description": "native clients use http://127.0.0.1/"})
        if meta.get("token_endpoint_auth_method") != "none":
            return self.send_json(400, {"error": "invalid_client_metadata",
                                        "error_description": "public clients only"})
        client_id = "dyn-" + secrets.token_urlsafe(12)
        with LOCK:
            REGISTERED[client_id] = meta
        self.send_json(201, dict(meta, client_id=client_id,
                                 client_id_issued_at=int(time.time())))

    def known_client(self, client_id):
        return client_id == ARGS.client_id or client_id in REGISTERED

    def authorize(self, q):
        with LOCK:
            STATS["authorize"] += 1
        # Errors in client_id or redirect_uri must not redirect (RFC 6749 §4.1.2.1).
        if not self.known_client(q.get("client_id")):
            return self.page(400, "unknown client_id")
        redirect_uri = q.get("redirect_uri", "")
        if not loopback_redirect(redirect_uri):
            return self.page(400, "redirect_uri must be http://127.0.0.1:<port>/ (RFC 8252)")
        state = q.get("state")
        iss = {"none": None, "right": ISSUER, "wrong": "https://evil.example.test"}[ARGS.iss]
        err = lambda e, d: self.redirect(redirect_uri, {k: v for k, v in
                                                        {"error": e, "error_description": d,
                                                         "state": state, "iss": iss}.items() if v})
        if q.get("response_type") != "code":
            return err("unsupported_response_type", "only the code flow")
        if not q.get("code_challenge") or q.get("code_challenge_method") != "S256":
            return err("invalid_request", "PKCE with S256 is required")
        if set(q.get("scope", "").split()) != set(ARGS.scope.split()):
            return err("invalid_scope", "expected scope: " + ARGS.scope)
        if ARGS.resource and q.get("resource") != ARGS.resource:
            return err("invalid_target", "resource must be " + ARGS.resource)
        if q.get("consent") == "deny":
            return err("access_denied", "the user declined")
        code = secrets.token_urlsafe(24)
        with LOCK:
            CODES[code] = {"client_id": q["client_id"], "redirect_uri": redirect_uri,
                           "challenge": q["code_challenge"],
                           "expires": time.time() + ARGS.code_lifetime, "used": False,
                           "user": q.get("login_hint") or ARGS.user, "tokens": []}
        params = {"code": code}
        if state is not None:
            params["state"] = state
        if iss is not None:
            params["iss"] = iss
        self.redirect(redirect_uri, params)

    def client_ok(self, form):
        auth = self.headers.get("Authorization", "")
        cid, secret = form.get("client_id"), form.get("client_secret")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            cid, secret = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
        if cid in REGISTERED:
            return cid  # a public client: PKCE proves it
        if cid != ARGS.client_id:
            return None
        if ARGS.client_secret and secret != ARGS.client_secret:
            return None
        return cid

    def refuse(self, status, error, description):
        with LOCK:
            STATS["refused"] += 1
        self.send_json(status, {"error": error, "error_description": description})

    def issue(self, user, client_id, tokens=None):
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(24)
        ACCESS[access] = {"user": user, "expires": time.time() + ARGS.token_lifetime,
                          "revoked": False}
        REFRESH[refresh] = {"user": user, "client_id": client_id, "revoked": False}
        if tokens is not None:
            tokens.extend([access, refresh])
        return {"access_token": access, "token_type": "Bearer",
                "expires_in": ARGS.token_lifetime, "refresh_token": refresh,
                "scope": ARGS.scope}

    def token(self, form):
        client_id = self.client_ok(form)
        if client_id is None:
            return self.refuse(401, "invalid_client", "unknown client or wrong secret")
        grant = form.get("grant_type")
        with LOCK:
            if grant == "authorization_code":
                STATS["authorization_code"] += 1
                c = CODES.get(form.get("code", ""))
                if c is None:
                    return self.refuse(400, "invalid_grant", "unknown code")
                if c["used"]:
                    # RFC 6749 §4.1.2: a reused code revokes what it gave.
                    for t in c["tokens"]:
                        (ACCESS.get(t) or REFRESH.get(t))["revoked"] = True
                    return self.refuse(400, "invalid_grant", "the code was used already")
                c["used"] = True
                if c["expires"] < time.time():
                    return self.refuse(400, "invalid_grant", "the code expired")
                if c["client_id"] != client_id:
                    return self.refuse(400, "invalid_grant", "the code belongs to another client")
                if form.get("redirect_uri") != c["redirect_uri"]:
                    return self.refuse(400, "invalid_grant", "redirect_uri differs")
                if ARGS.resource and form.get("resource") != ARGS.resource:
                    return self.refuse(400, "invalid_target", "resource must be " + ARGS.resource)
                verifier = form.get("code_verifier", "")
                if not (43 <= len(verifier) <= 128) or s256(verifier) != c["challenge"]:
                    return self.refuse(400, "invalid_grant", "code_verifier does not match")
                return self.send_json(200, self.issue(c["user"], client_id, c["tokens"]))
            if grant == "refresh_token":
                STATS["refresh_token"] += 1
                if ARGS.resource and form.get("resource") != ARGS.resource:
                    return self.refuse(400, "invalid_target", "resource must be " + ARGS.resource)
                r = REFRESH.get(form.get("refresh_token", ""))
                if r is None or r["revoked"] or r["client_id"] != client_id:
                    return self.refuse(400, "invalid_grant", "the refresh token is not valid")
                # Rotation, as Microsoft does: the old refresh token stops working.
                r["revoked"] = True
                return self.send_json(200, self.issue(r["user"], client_id))
        return self.refuse(400, "unsupported_grant_type", str(grant))


def exit_with_parent():
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    global ARGS, ISSUER
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--scope", default="smtp")
    ap.add_argument("--user", default="ann@example.test")
    ap.add_argument("--token-lifetime", type=int, default=3600)
    ap.add_argument("--code-lifetime", type=int, default=60)
    ap.add_argument("--iss", choices=["none", "right", "wrong"], default="right",
                    help="what authorization responses name as their issuer (RFC 9207)")
    ap.add_argument("--resource", default="",
                    help="the one protected resource; requests must name it (RFC 8707)")
    ap.add_argument("--no-registration", action="store_true")
    ap.add_argument("--refuse-registration", default="",
                    help="refuse every registration with these words")
    ARGS = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    ISSUER = "https://auth.example.test:%d" % server.server_address[1]
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
