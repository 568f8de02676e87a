#!/usr/bin/env python3
"""A real HTTP(S) server for Outpost's tests (Python's http.server, not our code).

Routes come from a JSON file: {"<host> <path>": {"status": 200, "body": "...",
"location": "...", "delay": 0.0, "repeat": N}}. The host is the Host header without its
port; the path includes the query. "repeat" sends the body N times (for oversized answers).
GET and POST are answered alike. Prints "PORT <n>" once it listens on 127.0.0.1.
Requests are appended to <routes>.log as "METHOD host path".
"""
import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--routes", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    routes = json.load(open(args.routes))
    log = open(args.routes + ".log", "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            log.write(f"{self.command} {host} {self.path}\n")
            route = routes.get(f"{host} {self.path}")
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            time.sleep(route.get("delay", 0))
            body = route.get("body", "").encode() * route.get("repeat", 1)
            self.send_response(route.get("status", 200))
            if "location" in route:
                self.send_header("Location", route["location"])
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = answer
        do_POST = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    parent = os.getppid()

    def exit_with_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
