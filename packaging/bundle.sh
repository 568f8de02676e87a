#!/usr/bin/env bash
# Builds the portable Linux bundle: a tarball with the release binary, the desktop entry,
# icons, metainfo and install.sh. Writes target/outpost-VERSION-linux-ARCH.tar.gz and prints
# its path. Unpack it anywhere and run ./install.sh (or PREFIX=/usr/local ./install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
# PROFILE=dev bundles the debug build (CI does, to spare a release build); default release.
profile="${PROFILE:-release}"
cargo build --profile "$profile" --locked
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
version=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print([p for p in json.load(sys.stdin)["packages"] if p["name"]=="outpost"][0]["version"])')
name="outpost-$version-linux-$(uname -m)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
id=io.github.outpostmail.Outpost
mkdir -p "$root/bin" "$root/share/applications" "$root/share/metainfo" \
  "$root/share/icons/hicolor/scalable/apps"
cp "$target/$dir/outpost" "$root/bin/"
# Manual pages and completions, made from the binary just built.
generated=$(./packaging/generate.sh "$target/$dir/outpost" "$stage/generated")
mkdir -p "$root/share/man" "$root/share/bash-completion/completions" \
  "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
cp -r "$generated/man/." "$root/share/man/"
cp "$generated/completions/outpost" "$root/share/bash-completion/completions/outpost"
cp "$generated/completions/_outpost" "$root/share/zsh/site-functions/_outpost"
cp "$generated/completions/outpost.fish" "$root/share/fish/vendor_completions.d/outpost.fish"
cp "packaging/$id.desktop" "$root/share/applications/"
cp "packaging/$id.metainfo.xml" "$root/share/metainfo/"
cp "icons/$id.svg" "$root/share/icons/hicolor/scalable/apps/"
for size in 16 32 48 64 128 256 512; do
  mkdir -p "$root/share/icons/hicolor/${size}x${size}/apps"
  cp "icons/hicolor/${size}x${size}/apps/$id.png" "$root/share/icons/hicolor/${size}x${size}/apps/"
done
cp packaging/install.sh README.md CHANGELOG.md NOTICE LICENSE* "$root/"
mkdir -p "$target"
tar -C "$stage" -czf "$target/$name.tar.gz" "$name"
echo "$target/$name.tar.gz"
