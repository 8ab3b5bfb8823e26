#!/usr/bin/env bash
# test.sh — what `make test` runs once the system packages are in place:
#   1. gofmt: no file may need formatting;
#   2. go vet ./...;
#   3. go test -race ./... inside a private D-Bus session with an unlocked
#      gnome-keyring, so the keyring tests talk to a real Secret Service
#      (PODPIS_TEST_KEYRING=1 tells them it is real);
#   4. every fuzz target for FUZZTIME (default 10s), via scripts/fuzz.sh.
# Every step runs even when an earlier one fails, and the last line says which
# failed; the exit status is non-zero if any did. Needs no display: the GUI
# tests start their own Xvfb.
set -uo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=1

started=$SECONDS
passed=()
failed=()

step() {
	local name=$1
	shift
	echo
	echo "==> $name"
	local begun=$SECONDS
	if "$@"; then
		passed+=("$name")
		echo "<== $name: ok ($((SECONDS - begun))s)"
	else
		failed+=("$name")
		echo "<== $name: FAILED ($((SECONDS - begun))s)"
	fi
}

check_gofmt() {
	local unformatted
	unformatted=$(find . -path ./.git -prune -o -name testdata -prune -o -name '*.go' -print0 |
		xargs -0 -r gofmt -l) || return 1
	if [[ -n $unformatted ]]; then
		echo "these files are not gofmt-formatted (run: gofmt -w FILE):"
		echo "$unformatted" | sed 's/^/    /'
		return 1
	fi
}

# go_test_with_keyring runs the whole test suite in its own D-Bus session
# bus, with gnome-keyring's Secret Service unlocked. The keyring's files live
# in a temporary folder, never in the user's real keyring. (dbus-daemon's
# "Failed to set fd limit" line is harmless.)
go_test_with_keyring() {
	local keyring_home status
	keyring_home=$(mktemp -d)
	PODPIS_KEYRING_HOME=$keyring_home PODPIS_TEST_KEYRING=1 \
		dbus-run-session -- bash -c '
			set -euo pipefail
			mkdir -m 0700 "$PODPIS_KEYRING_HOME/data" "$PODPIS_KEYRING_HOME/run"
			printf %s podpis-test |
				XDG_DATA_HOME=$PODPIS_KEYRING_HOME/data XDG_RUNTIME_DIR=$PODPIS_KEYRING_HOME/run \
				gnome-keyring-daemon --unlock --components=secrets >/dev/null
			secret_service() {
				dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
					org.freedesktop.DBus.ListNames | grep -F "\"org.freedesktop.secrets\"" >/dev/null
			}
			for _ in $(seq 50); do
				secret_service && break
				sleep 0.1
			done
			secret_service || echo "test: gnome-keyring did not start a Secret Service; the keyring tests will fail" >&2
			unset PODPIS_KEYRING_HOME
			exec go test -race -count=1 ./...
		'
	status=$?
	rm -rf "$keyring_home"
	return $status
}

step "gofmt" check_gofmt
step "go vet" go vet ./...
step "go test -race (with a real Secret Service)" go_test_with_keyring
step "fuzz (${FUZZTIME:-10s} per target)" scripts/fuzz.sh

elapsed="$((($SECONDS - started) / 60))m$((($SECONDS - started) % 60))s"
echo
if [[ ${#failed[@]} -gt 0 ]]; then
	printf -v names '%s; ' "${failed[@]}"
	echo "make test: FAILED in $elapsed — ${#failed[@]} of $((${#passed[@]} + ${#failed[@]})) steps failed: ${names%; }"
	exit 1
fi
echo "make test: PASSED in $elapsed — gofmt, go vet, go test -race, fuzz"
