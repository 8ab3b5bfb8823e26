#!/usr/bin/env bash
# ratio-gost3410.sh — GOST R 34.10-2012 sign/verify speed of Podpis against
# OpenSSL's gost engine, measured now on this machine. Prints
#
#   ratio gost256A-sign X      # podpis ops/s / openssl ops/s
#
# for each benchmarked parameter set (256: A, B, C = CryptoPro A/B/C, TCA;
# 512: A, B, C). OpenSSL runs in-process through scripts/bench/gost3410.c
# (EVP_PKEY_sign / EVP_PKEY_verify in a loop with the engine loaded).
#
# The machine is shared, so each pair is measured ROUNDS times (default 3),
# alternating Podpis and OpenSSL, and the best rate of each side is used.
# BENCHTIME (default 0.5s) is the duration of one measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime="${BENCHTIME:-0.5s}"
seconds="${benchtime%s}"
rounds="${ROUNDS:-3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -Wno-deprecated-declarations -o "$work/ossl" scripts/bench/gost3410.c -lcrypto
go test -c -o "$work/podpis.test" ./internal/gost/gost3410/

# podpis_rate BENCH SUB: operations per second of one Go benchmark.
podpis_rate() {
	"$work/podpis.test" -test.run '^$' -test.bench "^Benchmark$1\$/^$2\$" \
		-test.benchtime "$benchtime" |
		awk '$1 ~ /^Benchmark/ && $4 == "ns/op" { printf "%.1f\n", 1e9 / $3 }'
}

best() { sort -g | tail -n 1; }

# name          go benchmark      openssl alg    paramset
sets="
gost256A        CryptoProA-256    gost2012_256   A
gost256B        CryptoProB-256    gost2012_256   B
gost256C        CryptoProC-256    gost2012_256   C
gost256TCA      TC26-256-A        gost2012_256   TCA
gost512A        TC26-512-A        gost2012_512   A
gost512B        TC26-512-B        gost2012_512   B
gost512C        TC26-512-C        gost2012_512   C
"
while read -r name bench alg paramset; do
	[ -n "$name" ] || continue
	for op in sign verify; do
		case $op in sign) gobench=Sign ;; verify) gobench=Verify ;; esac
		: >"$work/p" && : >"$work/o"
		for _ in $(seq "$rounds"); do
			podpis_rate "$gobench" "$bench" >>"$work/p"
			"$work/ossl" "$alg" "$paramset" "$op" "$seconds" | awk '{ print $2 }' >>"$work/o"
		done
		p="$(best <"$work/p")"
		o="$(best <"$work/o")"
		if [ -z "$p" ] || [ -z "$o" ]; then
			echo "ratio-gost3410.sh: no measurement for $name-$op" >&2
			exit 1
		fi
		if [ -n "${VERBOSE:-}" ]; then
			echo "# $name-$op podpis $p ops/s, openssl $o ops/s" >&2
		fi
		awk -v n="$name-$op" -v p="$p" -v o="$o" 'BEGIN { printf "ratio %s %.2f\n", n, p / o }'
	done
done <<<"$sets"
