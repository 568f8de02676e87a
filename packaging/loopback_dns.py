#!/usr/bin/env python3
"""A DNS server for the screenshots: every name is at 127.0.0.1, so that the window shows
real-looking servers (smtp.example.org) while the mail goes to a local aiosmtpd.
Answers A queries with 127.0.0.1 and anything else with no records. Prints "PORT n" once
listening on UDP 127.0.0.1:n. Standard library only.
"""

import socket
import struct


def answer(query: bytes) -> bytes:
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    # The question: labels up to the zero byte, then type and class.
    end = query.index(b"\0", 12) + 5
    question = query[12:end]
    qtype = struct.unpack("!H", question[-4:-2])[0]
    records = b""
    if qtype == 1 and qdcount == 1:  # A
        # A pointer to the name in the question, type A, class IN, TTL 60, 4 bytes.
        records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    flags = 0x8180  # a response, recursion desired and available, no error
    header = struct.pack("!HHHHHH", ident, flags, 1, 1 if records else 0, 0, 0)
    return header + question + records


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    while True:
        query, peer = sock.recvfrom(512)
        try:
            sock.sendto(answer(query), peer)
        except (ValueError, struct.error):
            continue


if __name__ == "__main__":
    main()
