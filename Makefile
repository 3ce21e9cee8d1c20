# Reel — two commands for a fresh Debian machine with Swift:
#   make demo   installs what is missing, builds, makes the demo data and opens the dashboard
#   make test   installs what is missing and runs every test (release build), ending with "N passed, N failed"
SHELL := /bin/bash
SWIFT ?= swift
DEBS := libncurses-dev libopenblas-dev libturbojpeg0-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
	libopenmpi-dev openmpi-bin \
	pkg-config tmux
CONFIG ?= release
REEL := .build/$(CONFIG)/reel

.PHONY: demo test build deps clean fuzz crashtest

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

# The demo data is made once (data/ is not in git); the dashboard opens on the TSM demo config.
demo: build
	@[ -f data/demo/train_list.txt ] || $(REEL) data demo data/demo
	$(REEL) tui configs/demo/tsm_r18_demo.py

test: deps
	@bash scripts/run-tests.sh

# Coverage-guided fuzzing (libFuzzer) of every reader of untrusted input, FUZZ_SECONDS per target (make test runs 15 s).
fuzz: deps
	@bash scripts/fuzz.sh $${FUZZ_SECONDS:-300}

clean:
	rm -rf .build .build-fuzz .fuzz work_dirs

# Crash harness: kill -9 `reel train` at random points (inside checkpoint writes too), then check every checkpoint
# loads, --auto-resume reaches the end, no temp file is left and every .log.json line parses. TRIALS=N to change.
TRIALS ?= 50
crashtest: deps
	REEL_CRASHTEST_TRIALS=$(TRIALS) $(SWIFT) test -c $(CONFIG) --filter CrashHarnessTests 2>&1 \
		| grep -E "^crashtest:|error:|Executed|passed|failed"; exit $${PIPESTATUS[0]}
