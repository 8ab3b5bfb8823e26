#!/usr/bin/env bash
# ratio-batch.sh — batch signing, Podpis against OpenSSL's gost engine,
# measured here and now (called by scripts/ratios.sh):
#
#   ratio batch-sign-1000x100k X    # openssl loop A s, podpis sign B s; floor ...
#
# FILES (default 1000) files of 100 KB are signed with one GOST R 34.10-2012
# 256 key: once by a single `podpis sign --cert ID FOLDER` (the key imported
# from a GOST .pfx into a temporary store, its password given by
# --password-file, so the one Argon2id unsealing of the key is counted), and
# once by a shell loop that runs `openssl cms -engine gost -sign -binary
# -cades` per file, as a script without Podpis would. Both write detached
# DER CAdES-BES signatures; Podpis also fsyncs each one (atomicfile), which
# OpenSSL does not. X is openssl's time over Podpis's: higher is better, the
# issue asks for at least 20. Each side runs ROUNDS times (default 1: the
# OpenSSL loop alone takes tens of seconds), taking turns; the best time of
# each side counts. The comment also gives the floor on this machine (see
# below) and the best ratio it leaves possible, since the target depends on
# the number of cores and the OpenSSL loop does not.
set -euo pipefail
cd "$(dirname "$0")/.."

files=${FILES:-1000}
rounds=${ROUNDS:-1}

if ! openssl engine -c gost 2>/dev/null | grep -q gost89; then
	echo "ratio-batch: the OpenSSL gost engine does not load (make deps-bench installs libengine-gost-openssl)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/podpis" ./app

# The key, its certificate and a GOST .pfx of both.
openssl req -engine gost -x509 -new -newkey gost2012_256 -pkeyopt paramset:A -nodes \
	-keyout "$work/key.pem" -subj "/CN=Batch Bench/C=RU" -days 30 -out "$work/cert.pem" 2>/dev/null
openssl pkcs12 -engine gost -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/k.pfx" \
	-passout pass:bench -keypbe gost89 -certpbe gost89 -macalg md_gost12_512 2>/dev/null
printf 'bench\n' >"$work/pw.txt"
export PODPIS_KEYRING=off PODPIS_STORE="$work/store"
"$work/podpis" import "$work/k.pfx" --password-file "$work/pw.txt" >/dev/null
id=$("$work/podpis" list --json | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)
if [[ -z $id ]]; then
	echo "ratio-batch: the key was not imported" >&2
	exit 1
fi

# The documents: different 100 KB files, ten folders of them.
head -c 102400 /dev/urandom >"$work/seed"
for ((i = 0; i < files; i++)); do
	dir="$work/docs/d$((i % 10))"
	mkdir -p "$dir"
	{ printf '%08d' "$i"; tail -c +9 "$work/seed"; } >"$dir/doc$i.xml"
done
mapfile -t docs < <(find "$work/docs" -type f -name '*.xml' | sort)

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

ours=() theirs=()
for ((r = 0; r < rounds; r++)); do
	find "$work/docs" -name '*.sig' -delete
	start=$(now)
	"$work/podpis" sign --cert "$id" --password-file "$work/pw.txt" "$work/docs" >/dev/null
	end=$(now)
	ours+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
	n=$(find "$work/docs" -name '*.sig' | wc -l)
	if ((n != files)); then
		echo "ratio-batch: podpis signed $n of $files files" >&2
		exit 1
	fi

	rm -rf "$work/ossl" && mkdir "$work/ossl"
	start=$(now)
	for f in "${docs[@]}"; do
		openssl cms -engine gost -sign -binary -cades -in "$f" -signer "$work/cert.pem" -inkey "$work/key.pem" \
			-outform DER -out "$work/ossl/$(basename "$f").sig" 2>/dev/null
	done
	end=$(now)
	theirs+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
# The floor no batch of these files can beat on this machine: one run's
# fixed cost (start, store, the Argon2id unsealing of the key: a run that
# signs a single file) plus Streebog over every byte, spread perfectly over
# all cores (`podpis hash` of one file as large as all of them, which runs
# on one core). It says how far the ratio can go here at best.
mkdir -p "$work/one" && cp "${docs[0]}" "$work/one/"
cat "${docs[@]}" >"$work/all"
fixed=() hashed=()
for ((r = 0; r < 3; r++)); do
	rm -f "$work/one/"*.sig
	start=$(now)
	"$work/podpis" sign --cert "$id" --password-file "$work/pw.txt" "$work/one" >/dev/null
	end=$(now)
	fixed+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
	start=$(now)
	"$work/podpis" hash --alg streebog256 "$work/all" >/dev/null
	end=$(now)
	hashed+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
f=$(best "${fixed[@]}")
h=$(best "${hashed[@]}")
p=$(best "${ours[@]}")
o=$(best "${theirs[@]}")
awk -v p="$p" -v o="$o" -v n="$files" -v f="$f" -v h="$h" -v c="$(nproc)" 'BEGIN {
	floor = f + h / c
	printf "ratio batch-sign-%dx100k %.2f    # openssl loop %.2f s, podpis sign %.2f s (target >= 20); floor here %.2f s = one-file run %.2f s + Streebog %.2f s / %d cores, so at best %.1f\n", n, o / p, o, p, floor, f, h, c, o / floor
}'
