#!/usr/bin/env bash
# deps.sh build|test|bench — installs the Debian packages Podpis needs to build
# (build) or to run every test (test) when they are missing. A second run with
# everything present only asks dpkg and takes a fraction of a second.
# Needs no terminal: apt-get runs non-interactively, with sudo only when not root.
set -euo pipefail

build_packages=(gcc libc6-dev pkg-config xorg-dev libgl1-mesa-dev)
# xvfb/xauth: the GUI tests' own X server; openssl + gost engine: fixtures and
# the independent GOST peer; softhsm2/opensc: a real PKCS#11 token;
# gnome-keyring + dbus: a real Secret Service; imagemagick: screenshots;
# x11-utils (xwininfo): waiting for the window; tesseract: reading the
# screenshot to prove the list shows the imported certificate; xdotool:
# clicking a tab of the real window.
# Fyne bundles its fonts, so no font package is needed.
test_packages=(xvfb xauth openssl libengine-gost-openssl softhsm2 opensc
	gnome-keyring dbus-daemon dbus-x11 imagemagick x11-utils xdotool tesseract-ocr tesseract-ocr-rus)

# libssl-dev: make bench builds small C reference programs that load
# OpenSSL's gost engine in-process, to compare against in the same run.
bench_packages=(libssl-dev)

case "${1:-}" in
build) wanted=("${build_packages[@]}") ;;
test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
bench) wanted=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
*)
	echo "usage: $0 build|test|bench" >&2
	exit 2
	;;
esac

if ! command -v go >/dev/null 2>&1; then
	cat >&2 <<'MSG'
deps: the Go toolchain is missing. Install Go 1.26 or newer from https://go.dev/dl/
      (for example: sudo tar -C /usr/local -xzf go1.26.*.linux-amd64.tar.gz
       and add /usr/local/go/bin to PATH), then run make again.
MSG
	exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages (${missing[*]}) and no apt-get to install them: install them by hand" >&2
	exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps: missing packages (${missing[*]}); run as root or install sudo" >&2
		exit 1
	fi
	sudo=(sudo)
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
