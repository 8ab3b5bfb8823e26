#!/usr/bin/env bash
# ratio-magma.sh — GOST 28147-89 (CFB and counter mode with CryptoPro key
# meshing) and GOST R 34.11-94 throughput, Podpis against OpenSSL's gost
# engine, measured here and now (called by scripts/ratios.sh):
#
#   ratio gost89-cfb-throughput X     # podpis A MB/s, openssl B MB/s
#   ratio gost89-cnt-throughput X
#   ratio gost94-throughput X
#
# Podpis: BenchmarkCFBMeshing / BenchmarkCTRMeshing (internal/gost/magma,
# 8 KiB per operation, CryptoPro-A) and BenchmarkCryptoPro/8KiB
# (internal/gost/gost341194). OpenSSL: scripts/bench/magma.c,
# the engine loaded in-process (gost89 / gost89-cnt /
# md_gost94 over 8 KiB operations). Each side is measured COUNT times
# (default 3) for BENCHTIME seconds (default 1), taking turns; the best
# figure of each side is compared.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-3}
benchtime=${BENCHTIME:-1}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -Wno-deprecated-declarations -o "$tmp/engine" scripts/bench/magma.c -lcrypto
go test -c -o "$tmp/magma.test" ./internal/gost/magma/
go test -c -o "$tmp/gost94.test" ./internal/gost/gost341194/

best() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# podpis_mbs TESTBIN BENCHREGEX prints the MB/s of one Go benchmark run.
podpis_mbs() {
	"$1" -test.run='^$' -test.bench="$2" -test.benchtime="${benchtime}s" |
		awk '$1 ~ /^Benchmark/ { for (i = 1; i < NF; i++) if ($(i+1) == "MB/s") print $i }'
}

# name                  testbin   go benchmark               openssl alg
while read -r name bin bench alg; do
	[ -n "$name" ] || continue
	ours=() theirs=()
	for _ in $(seq "$count"); do
		ours+=("$(podpis_mbs "$tmp/$bin.test" "$bench")")
		theirs+=("$("$tmp/engine" "$alg" "$benchtime")")
	done
	o=$(best "${ours[@]}") t=$(best "${theirs[@]}")
	awk -v n="$name" -v o="$o" -v t="$t" \
		'BEGIN { printf "ratio %s %.2f    # podpis %.1f MB/s, openssl %.1f MB/s\n", n, o / t, o, t }'
done <<'SETS'
gost89-cfb-throughput   magma     ^BenchmarkCFBMeshing$       gost89
gost89-cnt-throughput   magma     ^BenchmarkCTRMeshing$       gost89-cnt
gost94-throughput       gost94    ^BenchmarkCryptoPro$/^8KiB$ md_gost94
SETS
