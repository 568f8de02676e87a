#!/usr/bin/env bash
# Makes what the packages carry beside the binary, from the sources that say it once:
#   man/man1, man/de/man1   the manual pages, from the command line's own definition
#                           (BINARY --manuals)
#   completions/            bash, zsh and fish completions (COMPLETE=<shell> BINARY: the
#                           shell asks the binary itself, which knows the accounts and messages)
#   changelog               Debian's changelog, from CHANGELOG.md
#   copyright               Debian's copyright file (DEP-5), from packaging/copyright and
#                           LICENSE-MIT
# Usage: packaging/generate.sh BINARY [OUT]; OUT is packaging/generated at first.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$1
out="${2:-packaging/generated}"
rm -rf "$out"
mkdir -p "$out/completions"
# English whatever this machine's locale; German pages are written beside them.
LANG=C.UTF-8 LANGUAGE= LC_ALL= "$binary" --manuals "$out/man" >/dev/null
COMPLETE=bash "$binary" >"$out/completions/outpost"
COMPLETE=zsh "$binary" >"$out/completions/_outpost"
COMPLETE=fish "$binary" >"$out/completions/outpost.fish"
python3 packaging/changelog.py CHANGELOG.md >"$out/changelog"
# LICENSE-MIT without its title and copyright line, as a DEP-5 license text.
mit=$(sed '1,/^Copyright/d' LICENSE-MIT | sed -e '1{/^$/d}' -e 's/^$/./' -e 's/^/ /')
awk -v mit="$mit" '/^#/ {next} $0 == "@MIT@" {print mit; next} {print}' packaging/copyright \
  >"$out/copyright"
echo "$out"
