#!/usr/bin/env python3
"""Turns an X screen dump (xwd -root) into a PNG, cropped to WIDTHxHEIGHT from the top left
when given. Standard library only. Usage: xwd2png.py IN.xwd OUT.png [WIDTHxHEIGHT]"""
import struct
import sys
import zlib


def main():
    data = open(sys.argv[1], "rb").read()
    h = struct.unpack(">25I", data[:100])
    header, width, height = h[0], h[4], h[5]
    byte_order, bits, per_line, ncolors = h[7], h[11], h[12], h[19]
    if len(sys.argv) > 3:
        w, _, hh = sys.argv[3].partition("x")
        width, height = min(width, int(w)), min(height, int(hh))
    start, size = header + ncolors * 12, bits // 8
    rows = []
    for y in range(height):
        line = bytearray(b"\x00")
        base = start + y * per_line
        for x in range(width):
            p = data[base + x * size: base + x * size + size]
            r, g, b = (p[2], p[1], p[0]) if byte_order == 0 else (p[-3], p[-2], p[-1])
            line += bytes((r, g, b))
        rows.append(bytes(line))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
           + chunk(b"IEND", b""))
    open(sys.argv[2], "wb").write(png)


if __name__ == "__main__":
    main()
