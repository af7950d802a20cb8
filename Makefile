# Sluice — build, run, test and benchmark entry points.
#   make build     release build (.build/release/sluice, .build/release/sluice-mock)
#   make debug     debug build of everything, tests included
#   make run       release build, then sluice-mock on :8081 + sluice with config/sluice.yaml (Ctrl-C stops both)
#   make test      test dependencies, unit tests (Swift Testing), then the Python e2e suite
#   make bench     direct vs nginx vs sluice (bench/run.sh; results in bench/results/latest.md);
#                  SUITE=issue8 make bench: every issue-8 case and its targets table (~13 min)
#   make check-config   sluice --check on config/sluice.yaml
#   make clean     remove build output;  make distclean  also the test venv

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT  ?= swift
VENV   ?= .venv-test
PYTEST := $(VENV)/bin/pytest
CONFIG ?= config/sluice.yaml

.PHONY: build debug run test unit e2e bench check-config clean distclean help

build:
	$(SWIFT) build -c release

debug:
	$(SWIFT) build --build-tests

run: build
	scripts/run.sh "$(CONFIG)"

# Each step stops the run on failure. `swift test --skip-build` prints Swift Testing's summary.
test:
	scripts/test-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory e2e

# The e2e suite alone, against the debug binaries already built (SLUICE_BIN_DIR overrides).
e2e:
	SLUICE_BIN_DIR="$${SLUICE_BIN_DIR:-$$($(SWIFT) build --show-bin-path)}" $(PYTEST) e2e

unit:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench:
	bench/run.sh

check-config: build
	"$$($(SWIFT) build -c release --show-bin-path)/sluice" --config "$(CONFIG)" --check

clean:
	rm -rf .build .swiftpm bench/results/*.tmp
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

# Container image (deploy/Dockerfile, built from the repo root). Needs a Docker engine with
# BuildKit; on a machine without one (such as the development VM) this target fails at `docker`.
.PHONY: image
IMAGE ?= sluice:dev
image:
	docker build -f deploy/Dockerfile -t $(IMAGE) .

# Fuzzing: libFuzzer + AddressSanitizer targets over the pure layers, built with swiftc directly
# (fuzz/build.sh; targets, invariants and known issues in fuzz/README.md). Two runs at a time.
#   make fuzz          every target for FUZZ_SECONDS (default 60)
#   make fuzz-smoke    every target for 30 s (CI)
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_TARGETS ?= config json http_request chunked sse

.PHONY: fuzz fuzz-smoke

fuzz:
	FUZZ_JOBS=$(FUZZ_JOBS) fuzz/build.sh $(FUZZ_TARGETS)
	printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} fuzz/run.sh {} $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

# Sanitizer runs (not part of `make test`: each rebuilds everything in its own scratch folder).
# The integration tests then drive the sanitized sluice and sluice-mock binaries.
.PHONY: sanitize sanitize-address sanitize-thread
sanitize: sanitize-address sanitize-thread

sanitize-address:
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	SLUICE_BIN_DIR="$$(pwd)/.build-asan/debug" ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

sanitize-thread:
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	SLUICE_BIN_DIR="$$(pwd)/.build-tsan/debug" TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

# Soak (not part of `make test`; soak/README.md): release build, then 100,000 requests mixed with
# upstream faults (fds and RSS of sluice before/after), 100 reloads under wrk, SIGTERM with 200 open
# streams. Bounded: SOAK_TIMEOUT seconds overall. `make soak SOAK_ARGS="faults --requests 20000"`
# runs one part.
SOAK_ARGS    ?= all
SOAK_TIMEOUT ?= 1800

.PHONY: soak
soak:
	scripts/test-deps.sh
	$(SWIFT) build -c release
	SLUICE_BIN_DIR="$$($(SWIFT) build -c release --show-bin-path)" timeout --kill-after=30 $(SOAK_TIMEOUT) python3 -m soak $(SOAK_ARGS)
