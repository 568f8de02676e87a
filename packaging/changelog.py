#!/usr/bin/env python3
"""Debian's changelog (debian/changelog format, newest first) from CHANGELOG.md (Keep a
Changelog): each released version becomes an entry with its items, dated at noon UTC of its
day (an hour later for each older one of the same day: Debian wants each entry newer than
the one before). Usage: changelog.py CHANGELOG.md > changelog"""
import re
import sys
import textwrap
from datetime import datetime, timezone

MAINTAINER = "The Outpost developers <outpost@outpostmail.github.io>"


def entries(text):
    version = None
    for line in text.splitlines():
        head = re.match(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})", line)
        if head:
            if version:
                yield version
            version = {"version": head.group(1), "date": head.group(2), "items": []}
        elif version and line.startswith("- "):
            version["items"].append(line[2:].strip())
        elif version and line.startswith("  ") and version["items"]:
            version["items"][-1] += " " + line.strip()
    if version:
        yield version


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    versions = list(entries(text))
    out = []
    for n, v in enumerate(versions):
        older_same_day = sum(1 for o in versions[n + 1:] if o["date"] == v["date"])
        out.append(f"outpost ({v['version']}) unstable; urgency=medium\n")
        for item in v["items"]:
            wrapped = textwrap.wrap(item, width=76)
            out.append("  * " + wrapped[0])
            out.extend("    " + w for w in wrapped[1:])
        day = datetime.strptime(v["date"], "%Y-%m-%d").replace(
            hour=12 + older_same_day, tzinfo=timezone.utc
        )
        out.append(f"\n -- {MAINTAINER}  {day.strftime('%a, %d %b %Y %H:%M:%S %z')}\n")
    sys.stdout.write("\n".join(out))


main()
