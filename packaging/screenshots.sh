#!/usr/bin/env bash
# Takes the screenshots for the AppStream metainfo and the README from the app itself: the
# release binary in Xvfb, with an outbox filled by really sending through a local aiosmtpd
# (some delivered, one refused, some waiting), in the light and the dark theme, and in German. The servers
# have real-looking names: a small DNS server (loopback_dns.py) puts every name on 127.0.0.1
# and port 587 is mapped to aiosmtpd's. Writes packaging/screenshots/*.png.
# Needs: Xvfb, xwd (x11-apps), python3 with aiosmtpd (all installed by scripts/test).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
bin="${CARGO_TARGET_DIR:-target}/release/outpost"
out=packaging/screenshots
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export OUTPOST_HOME="$work/home"
mkdir -p "$work/mail"
python3 tests/support/smtpd.py --mode plain --out "$work/mail" \
  --refuse-rcpt nobody@example.net >"$work/smtpd.out" &
for _ in $(seq 50); do grep -q PORT "$work/smtpd.out" && break; sleep 0.1; done
port=$(awk '/PORT/ {print $2}' "$work/smtpd.out")
python3 packaging/loopback_dns.py >"$work/dns.out" &
for _ in $(seq 50); do grep -q PORT "$work/dns.out" && break; sleep 0.1; done
export OUTPOST_DNS="127.0.0.1:$(awk '/PORT/ {print $2}' "$work/dns.out")"
export OUTPOST_PORT_MAP="587=$port"
"$bin" account add --email ann@example.org --name "Ann Example" --host smtp.example.org \
  --port 587 --security none --auth none >/dev/null
send() { "$bin" send --from ann@example.org "$@" >/dev/null; }
send --to "Bob <bob@example.net>" --subject "Minutes of Tuesday's meeting" --body "Attached."
send --to carol@example.net --cc dave@example.net --subject "Train tickets for the 14th" --body "Two seats."
send --to nobody@example.net --subject "Invoice 2026-114" --body "See attached."
send --to erin@example.net --subject "Photos from the hike" --body "The best ones."
"$bin" run --until-empty >/dev/null || true
kill %1
send --to frank@example.net --subject "Re: quarterly numbers" --body "Looks right."
send --to grace@example.net --subject "Garden club: next Saturday" --body "See you."
"$bin" run --until-empty --timeout 3 >/dev/null 2>&1 || true

display=":$((200 + RANDOM % 500))"
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
sleep 0.5
shot() { # NAME VIEW THEME: the window opened on VIEW in THEME (Light, Dark), as it was left
  printf '{"app": "(view:%s,settings:(theme:%s))"}' "$2" "$3" >"$OUTPOST_HOME/data/window.ron"
  LANG="${shot_lang:-C.UTF-8}" DISPLAY="$display" "$bin" >/dev/null 2>&1 &
  local pid=$!
  sleep 3
  xwd -root -silent -display "$display" >"$work/shot.xwd"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 packaging/xwd2png.py "$work/shot.xwd" "$out/$1.png" 900x620
  echo "wrote $out/$1.png"
}
shot outbox Outbox Light
shot outbox-dark Outbox Dark
shot compose Compose Light
shot_lang=de_DE.UTF-8 shot outbox-de Outbox Light
rm -rf "$OUTPOST_HOME"
mkdir -p "$OUTPOST_HOME/data"
shot setup Accounts Light
shot setup-dark Accounts Dark
shot_lang=de_DE.UTF-8 shot setup-de Accounts Light
