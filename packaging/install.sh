#!/bin/sh
# Installs Outpost from this folder for the current user (into ~/.local), or elsewhere with
# PREFIX=/usr/local (as root). `./install.sh --uninstall` removes what it installed.
# The `sendmail` link goes to PREFIX/lib/outpost/sendmail: never over the system's sendmail.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
id=io.github.outpostmail.Outpost
files="bin/outpost lib/outpost/sendmail share/applications/$id.desktop \
share/metainfo/$id.metainfo.xml share/icons/hicolor/scalable/apps/$id.svg"
for size in 16 32 48 64 128 256 512; do
  files="$files share/icons/hicolor/${size}x${size}/apps/$id.png"
done
# Manual pages (English and German) and the shell completions the bundle carries.
files="$files $(cd "$here" && find share/man share/bash-completion share/zsh share/fish -type f | sort | tr '\n' ' ')"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 &&
    update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 &&
    gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  for f in $files; do rm -f "$prefix/$f"; done
  rmdir "$prefix/lib/outpost" 2>/dev/null || true
  refresh
  echo "Outpost removed from $prefix (your accounts, outbox and keyring entries are kept)."
  exit 0
fi

for f in $files; do
  case "$f" in
    lib/outpost/sendmail) continue ;;
    bin/*) mode=755 ;;
    *) mode=644 ;;
  esac
  mkdir -p "$(dirname "$prefix/$f")"
  cp "$here/$f" "$prefix/$f.new"
  chmod "$mode" "$prefix/$f.new"
  mv -f "$prefix/$f.new" "$prefix/$f"
done
mkdir -p "$prefix/lib/outpost"
ln -sf ../../bin/outpost "$prefix/lib/outpost/sendmail"
# The desktop entry names the installed binary, wherever PREFIX is.
sed -i "s|^Exec=outpost |Exec=$prefix/bin/outpost |" "$prefix/share/applications/$id.desktop"
refresh
echo "Outpost installed in $prefix. Start it from your applications menu, or: $prefix/bin/outpost"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Note: $prefix/bin is not on your PATH." ;;
esac
