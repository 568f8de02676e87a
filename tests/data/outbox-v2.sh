#!/usr/bin/env bash
# How tests/data/outbox-v2.sqlite was made: by the release before history became data
# (commit 012cab9, outbox schema 2), run as `tests/data/outbox-v2.sh OUTPOST-BINARY` in an empty
# folder: Ann's messages to tests/support/smtpd.py (one recipient refused, one deferred, one
# refused whole, one cancelled, one queued for later by a German command line) and Bea's,
# whose server asks for a login (her account paused).
set -euo pipefail
OP=$1; SMTPD=$(dirname "$0")/../support/smtpd.py
export OUTPOST_HOME=$PWD/home LANG=C.UTF-8
python3 -u $SMTPD --mode plain --refuse-rcpt nobody@example.net --defer-rcpt-once busy@example.net > out1 &
P1=$!
python3 -u $SMTPD --mode plain --reply "mail=530 5.7.0 Authentication required" > out2 &
P2=$!
sleep 1
port() { sed -n 's/^PORT //p' "$1" | head -1; }
A=$(port out1); B=$(port out2)
$OP account add --email ann@example.org --name "Ann Example" --host 127.0.0.1 --port $A --security none --auth none
$OP account add --email bea@example.org --host 127.0.0.1 --port $B --security none --auth none
$OP send --from ann@example.org --to bob@example.net --to nobody@example.net --subject "One refused" --body hi
$OP send --from ann@example.org --to bob@example.net --cc busy@example.net --subject "One deferred" --body hi
$OP send --from ann@example.org --to nobody@example.net --subject "Refused" --body hi
$OP send --from ann@example.org --to bob@example.net --subject "Cancelled" --body hi --delay 3600
$OP queue cancel 4
LANG=de_DE.UTF-8 $OP send --from ann@example.org --to bob@example.net --subject "Später" --body hallo --delay 86400
$OP send --from bea@example.org --to bob@example.net --subject "Paused" --body hi
$OP run --until-empty || true
kill $P1 $P2
