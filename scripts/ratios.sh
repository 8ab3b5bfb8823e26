#!/usr/bin/env bash
# ratios.sh — the end of `make bench`: compares Podpis with OpenSSL's gost
# engine on this machine, in this run, and prints one line per comparison:
#
#   ratio NAME X    # podpis / openssl, higher is better
#
# (see DESIGN.md, "Benchmarks"). The comparisons arrive with the issues that
# bring GOST hashing and signing; until then there is nothing to compare and
# this prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
