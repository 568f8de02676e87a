#!/usr/bin/python3
"""Walks Outpost's real window as a new user would, for issue 30's before/after screenshots:
finds controls by name over AT-SPI, clicks them where they are on screen with xdotool (as a
person's pointer does, so the same walk works on builds without a control's newer keyboard
or accessibility support), and saves the screen (xwd) as a PNG at each stop.

Usage: walk_window.py OUTDIR STOP...   (run by scripts/walk-window, which sets up the lab)
STOPs: outbox, write, account, settings, certificate.
"""

import os
import subprocess
import sys
import time

import pyatspi

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))
import atspi_walk as walk  # noqa: E402  (find, press, fill, nodes, screen)

OUT = sys.argv[1]
STOPS = sys.argv[2:]
HERE = os.path.dirname(os.path.abspath(__file__))


def shot(name):
    time.sleep(1.0)
    xwd = os.path.join(OUT, name + ".xwd")
    with open(xwd, "wb") as f:
        subprocess.run(["xwd", "-root", "-silent"], stdout=f, check=True)
    png = os.path.join(OUT, name + ".png")
    subprocess.run(
        ["python3", os.path.join(HERE, "..", "packaging", "xwd2png.py"), xwd, png, "1280x800"],
        check=True,
    )
    os.remove(xwd)
    print(f"wrote {png}", flush=True)


def click(node):
    """A pointer click in the middle of `node`, where it is on screen."""
    x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"],
                   check=True)
    time.sleep(0.5)


def tab(view, app):
    walk.find(app, ("toggle button", "push button"), view, f"the {view} tab",
              contains=True).queryAction().doAction(0)
    time.sleep(1.0)


def outbox(app):
    tab("Outbox", app)
    # A row selected by a click on its recipient (not its subject), then its details.
    click(walk.find(app, None, "carol@example.net", "a recipient in the table", contains=True))
    shot("outbox-row-selected")
    click(walk.find(app, None, "Alias at work", "the alias's message", contains=True))
    walk.find(app, None, "History", "the details")
    shot("outbox-details-alias")
    walk.find(app, None, "Technical details", "the technical details").queryAction().doAction(0)
    shot("outbox-technical")


def write(app):
    tab("Write", app)
    walk.fill(app, "To", "bob@example.net")
    walk.fill(app, "Subject", "For tomorrow")
    walk.press(app, "Send later…")
    shot("write-send-later")
    try:
        click(walk.find(app, None, "Calendar", "the calendar", contains=False))
        shot("write-calendar")
    except walk.WalkFailed:
        print("no calendar in this build", flush=True)


def account(app):
    tab("Accounts", app)
    click(walk.find(app, None, "ann@example.org (default)", "the account"))
    walk.press(app, "Save changes")
    try:
        walk.press(app, "Save anyway")
    except walk.WalkFailed:
        pass
    walk.find(app, None, "Saved", "the confirmation", contains=True)
    shot("account-saved")


def settings(app):
    tab("Einstellungen", app)
    shot("settings-de")


def certificate(app):
    tab("Accounts", app)
    click(walk.find(app, None, "sam@selfhosted.example", "the self-hosted account",
                    contains=True))
    walk.press(app, "Check connection")
    walk.find(app, "push button", "Trust this certificate for this account",
              "the panel")
    # The panel is under the check's steps: scrolled into view with the wheel.
    subprocess.run(["xdotool", "mousemove", "700", "400", "click", "--repeat", "15", "5"],
                   check=True)
    shot("certificate")


if __name__ == "__main__":
    walk.TIMEOUT = 30.0
    app = walk.outpost()
    for stop in STOPS:
        try:
            globals()[stop](app)
        except walk.WalkFailed as e:
            print(f"{stop}: FAILED: {e}", flush=True)
            shot(f"{stop}-failed")
