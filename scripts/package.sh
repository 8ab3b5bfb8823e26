#!/usr/bin/env bash
# package.sh — makes dist/podpis-VERSION-linux-ARCH.tar.xz from bin/podpis with
# the fyne tool (fyne.io/fyne/v2/cmd/fyne, a `tool` dependency in go.mod, so
# its version is pinned with fyne's). The archive holds the binary, the icon,
# the desktop entry (assets/podpis.desktop, which adds the Russian name and the
# file types Podpis opens) and fyne's Makefile: `sudo make install` or
# `make user-install` inside the unpacked folder installs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

binary=$root/bin/podpis
[[ -x $binary ]] || { echo "package: $binary is missing: run make build first" >&2; exit 1; }
version=$(sed -nE 's/^Version *= *"([^"]+)".*/\1/p' FyneApp.toml)
[[ -n $version ]] || { echo "package: no Version in FyneApp.toml" >&2; exit 1; }
arch=$(go env GOARCH)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/fyne" fyne.io/fyne/v2/cmd/fyne

# fyne package reads FyneApp.toml from its source folder and then raises the
# Build number in it; a copy keeps the committed file unchanged.
mkdir -p "$work/src/assets"
cp FyneApp.toml "$work/src/"
cp assets/icon.png "$work/src/assets/"
(
	cd "$work/src"
	"$work/fyne" package -os linux -executable "$binary" -icon "$work/src/assets/icon.png" \
		-sourceDir "$work/src" 2>&1 | grep -v -e '^NOTE: This tool is deprecated' \
		-e 'go install fyne.io/tools' -e '^The new tool can be installed' || true
)
archive=$work/src/Podpis.tar.xz
[[ -f $archive ]] || { echo "package: fyne package made no $archive" >&2; exit 1; }

# Put our desktop entry in place of fyne's generic one.
mkdir "$work/tree"
tar -xJf "$archive" -C "$work/tree"
mapfile -t desktops < <(find "$work/tree" -name 'Podpis.desktop')
[[ ${#desktops[@]} -eq 1 ]] || { echo "package: expected one Podpis.desktop in the archive, found ${#desktops[@]}" >&2; exit 1; }
install -m 0644 assets/podpis.desktop "${desktops[0]}"

mkdir -p dist
name=podpis-$version-linux-$arch
out=dist/$name.tar.xz
# The folder inside the archive is named like the archive.
mv "$work/tree/podpis" "$work/tree/$name"
tar -cJf "$out.tmp" -C "$work/tree" --owner=0 --group=0 --numeric-owner "$name"
mv "$out.tmp" "$out"
echo "package: $out"
tar -tJvf "$out" | sed 's/^/    /'
