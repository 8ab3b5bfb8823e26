#!/usr/bin/env bash
# ratio-crl.sh — loading a CRL of a million entries, Podpis against
# OpenSSL, measured here and now (called by scripts/ratios.sh):
#
#   ratio crl-load-index-1m X    # openssl crl -noout A s, podpis load+index B s
#
# The CRL (COUNT entries, default 1000000, about 48 MB: serials of 16 and 20
# random octets in no order, reason codes, some invalidity dates, signed
# with a GOST R 34.10-2012 256 key by internal/gost) is generated once by
# the test binary of certstore/crl (TestWriteBigCRL). OpenSSL must accept
# it: `openssl crl -verify` with the gost engine checks its signature.
# Then, as whole processes, `openssl crl -noout -inform DER -in big.crl`
# (which decodes every entry) and Podpis reading the file, parsing it and
# writing its on-disk index (TestLoadAndIndexFile: crl.Parse +
# crl.WriteIndex, atomically with fsync) are timed. X is openssl's time
# over Podpis's: higher is better, the issue asks for at least 1. Each
# side runs ROUNDS times (default 3), taking turns; the best time counts.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-1000000}
rounds=${ROUNDS:-3}

if ! openssl engine -c gost 2>/dev/null | grep -q gost89; then
	echo "ratio-crl: the OpenSSL gost engine does not load (make deps-bench installs libengine-gost-openssl)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go test -tags crlratio -c -o "$work/crl.test" ./certstore/crl/

PODPIS_CRL_BIG_OUT="$work/big.crl" PODPIS_CRL_BIG_N="$count" \
	"$work/crl.test" -test.run '^TestWriteBigCRL$' >/dev/null
cat >"$work/gost.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
EOF
if ! OPENSSL_CONF="$work/gost.cnf" openssl crl -noout -inform DER -in "$work/big.crl" \
	-CAfile "$work/big.crl.ca.pem" -verify 2>&1 | grep -q 'verify OK'; then
	echo "ratio-crl: OpenSSL does not accept the generated CRL" >&2
	exit 1
fi

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
elapsed() {
	local start end
	start=$(now)
	"$@" >/dev/null
	end=$(now)
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

ossl=() podpis=()
for ((r = 0; r < rounds; r++)); do
	ossl+=("$(elapsed openssl crl -noout -inform DER -in "$work/big.crl")")
	podpis+=("$(elapsed env PODPIS_CRL_LOAD="$work/big.crl" "$work/crl.test" -test.run '^TestLoadAndIndexFile$')")
done
o=$(best "${ossl[@]}")
p=$(best "${podpis[@]}")
awk -v o="$o" -v p="$p" -v n="$count" 'BEGIN {
	label = (n == 1000000) ? "1m" : n
	printf "ratio crl-load-index-%s %.2f    # openssl crl -noout %.2f s, podpis load+index %.2f s\n", label, o / p, o, p
}'
