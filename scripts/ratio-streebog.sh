#!/usr/bin/env bash
# ratio-streebog.sh — Streebog throughput, Podpis against OpenSSL's gost
# engine, measured here and now (called by scripts/ratios.sh):
#
#   ratio streebog256-throughput X    # podpis A MB/s, openssl B MB/s
#   ratio streebog512-throughput X    # ...
#
# Podpis: BenchmarkStreebog{256,512}_1MiB (internal/gost/streebog), which
# hashes a 1 MiB buffer per operation. OpenSSL: scripts/bench/streebog.c,
# which loads the gost engine in-process and runs EVP_Digest over a 1 MiB
# buffer, built here with cc. The machine may be busy with other work, so
# each side is measured ROUNDS times (default 3) for BENCHTIME each (default
# 1s), the two sides taking turns, and the best figure of each side is
# compared.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
benchtime=${BENCHTIME:-1s}
seconds=${benchtime%s}

for tool in go cc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "ratio-streebog: $tool is missing (make deps-bench installs what is needed)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! cc -O2 -Wall -o "$tmp/streebog" scripts/bench/streebog.c -lcrypto 2>"$tmp/cc.log"; then
	cat "$tmp/cc.log" >&2
	echo "ratio-streebog: cannot build scripts/bench/streebog.c (needs libssl-dev)" >&2
	exit 1
fi
# Build the benchmark once, outside the timed runs.
go test -c -o "$tmp/streebog.test" ./internal/gost/streebog/

# best prints the largest of its numeric arguments.
best() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# podpis_mbs BITS prints the MB/s of one run of the Go benchmark.
podpis_mbs() {
	"$tmp/streebog.test" -test.run='^$' -test.bench="^BenchmarkStreebog$1_1MiB\$" \
		-test.benchtime="${seconds}s" |
		awk '$1 ~ /^BenchmarkStreebog/ { for (i = 1; i < NF; i++) if ($(i+1) == "MB/s") print $i }'
}

for bits in 256 512; do
	ours=() theirs=()
	for ((i = 0; i < rounds; i++)); do
		ours+=("$(podpis_mbs "$bits")")
		theirs+=("$("$tmp/streebog" "md_gost12_$bits" "$seconds")")
	done
	p=$(best "${ours[@]}")
	o=$(best "${theirs[@]}")
	if [[ -z $p || -z $o ]]; then
		echo "ratio-streebog: no measurement for $bits bits (podpis '$p', openssl '$o')" >&2
		exit 1
	fi
	awk -v bits="$bits" -v p="$p" -v o="$o" 'BEGIN {
		printf "ratio streebog%s-throughput %.2f    # podpis %.1f MB/s, openssl %.1f MB/s\n", bits, p / o, p, o
	}'
done
