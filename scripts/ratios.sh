#!/usr/bin/env bash
# ratios.sh — the end of `make bench`: compares Podpis with OpenSSL's gost
# engine on this machine, in this run, and prints one line per comparison:
#
#   ratio NAME X    # podpis / openssl, higher is better
#
# (see DESIGN.md, "Benchmarks"). Each comparison is a script
# scripts/ratio-*.sh that measures both sides itself and prints its own
# "ratio" lines (details may follow a '#'); they run one after another, in
# name order, so they do not compete for the CPU. A script that fails is
# reported on stderr and the others still run; the exit status is then 1.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
shopt -s nullglob
for script in scripts/ratio-*.sh; do
	if ! bash "$script"; then
		echo "ratios: $script failed" >&2
		status=1
	fi
done
exit "$status"
