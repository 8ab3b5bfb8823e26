# Podpis — build, test and package. GNU make; every recipe runs in bash.
#
#   make run      install build packages if missing, build and open the app
#   make test     install test packages if missing, then gofmt, vet, all tests, short fuzzing
#
# Other targets: deps deps-build deps-test build bench fuzz package clean help.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

# Fyne compiles GLFW with cgo; make sure cgo is on even where it defaults off.
export CGO_ENABLED := 1

# make test fuzzes every target briefly (14 targets: about 2.5 minutes), which
# keeps make test well under 20 minutes on a fresh 2-core machine; make fuzz
# goes longer.
FUZZTIME ?= 10s
BINARY := bin/podpis

.PHONY: help deps deps-build deps-test deps-bench build run test bench fuzz package clean

help:
	@echo "make run       build and open Podpis (installs build packages if missing)"
	@echo "make test      gofmt, go vet, go test -race with a real keyring, short fuzzing"
	@echo "make build     build $(BINARY)"
	@echo "make bench     Go benchmarks, then 'ratio NAME X' lines against OpenSSL"
	@echo "make fuzz      every fuzz target for FUZZTIME each (default here: 5m)"
	@echo "make package   dist/podpis-VERSION-linux-ARCH.tar.xz with the fyne tool"
	@echo "make deps      install every system package the build and tests need"
	@echo "make clean     remove bin/ and dist/"

deps: deps-test

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-bench:
	@scripts/deps.sh bench

# Always handed to go build, which knows best whether anything changed.
build: deps-build
	go build -o $(BINARY) ./app

run: build
	./$(BINARY)

test: deps-test
	@FUZZTIME=$(FUZZTIME) scripts/test.sh

bench: deps-bench
	go test -run='^$$' -bench=. -benchmem ./...
	@scripts/ratios.sh

# Longer fuzzing than make test does; `make fuzz FUZZTIME=1h` for longer still.
fuzz: FUZZTIME := $(if $(filter command line environment,$(origin FUZZTIME)),$(FUZZTIME),5m)
fuzz: deps-build
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

package: build
	@scripts/package.sh

clean:
	rm -rf bin dist
