#!/usr/bin/env bash
# fuzz.sh — runs every fuzz target in the repository (each `func FuzzXxx` in a
# *_test.go file) for FUZZTIME (default 10s) each, one after another, and
# names the targets that failed. A failing input is saved by `go test` under
# the package's testdata/fuzz/FuzzXxx/, where it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}

# go test stops a test binary after 10 minutes by default; leave fuzzing its
# full time plus 10 minutes for building and the seed corpus.
timeout=()
if [[ $fuzztime =~ ^([0-9]+)(s|m|h)$ ]]; then
	seconds=${BASH_REMATCH[1]}
	case ${BASH_REMATCH[2]} in
	m) seconds=$((seconds * 60)) ;;
	h) seconds=$((seconds * 3600)) ;;
	esac
	timeout=(-timeout="$((seconds + 600))s")
fi

# "./certstore/format/sniff_test.go:func FuzzSniff(" -> "./certstore/format FuzzSniff"
mapfile -t targets < <(
	grep -rEo --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata \
		'^func Fuzz[A-Za-z0-9_]*\(' . |
		sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' |
		sort -u
)
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets found"
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $name in $pkg for $fuzztime"
	if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "${timeout[@]}" "$pkg" >"$log" 2>&1; then
		{ grep '^fuzz: elapsed' "$log" | tail -n 1 || true; tail -n 1 "$log"; } | sed 's/^/    /'
	elif grep -qx '    context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; then
		# Go 1.26's fuzz coordinator can report its own -fuzztime deadline as
		# a failure (go.dev/issue/75804, fixed in Go 1.27) although no input
		# failed: nothing was written to testdata/fuzz, so it is not a finding.
		{ grep '^fuzz: elapsed' "$log" || true; } | tail -n 1 | sed 's/^/    /'
		echo "    ok (the run ended with Go's spurious \"context deadline exceeded\", go.dev/issue/75804; no failing input)"
	else
		cat "$log"
		failed+=("$pkg:$name")
	fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
	echo "fuzz: ${#failed[@]} of ${#targets[@]} target(s) failed: ${failed[*]}"
	exit 1
fi
echo "fuzz: all ${#targets[@]} target(s) passed (${fuzztime} each)"
