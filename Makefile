# Thin wrapper over CMake. `make demo` and `make test` are the README's two
# commands: each installs missing Debian packages, builds, then runs.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ASAN_BUILD ?= build-asan

# Builds of any checkout (a CI clone, a second worktree) share ccache's
# compilations: paths are hashed relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps configure build demo test test-sanitize bench install clean crash-nightly crash-bugs

all: build

deps:
	@bash .ci/install-deps

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash examples/demo.sh

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same tests under AddressSanitizer and UBSan, in a second build tree.
# UBSan only reports by default; halt_on_error makes a report fail its test.
test-sanitize: deps
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(MAKE) --no-print-directory test BUILD=$(ASAN_BUILD) \
		CMAKE_FLAGS="$(CMAKE_FLAGS) -DKQ_SANITIZE=ON -DKQ_BUILD_BENCH=OFF"

bench: build
	@bash bench/run.sh $(BUILD)/bin

# The crash-state suite with 20 times the seeds and states per operation
# (CI runs one round); KQ_CRASH_SEED=N varies the seeds.
CRASH_ROUNDS ?= 20
crash-nightly: configure
	@cmake --build $(BUILD) -j $(JOBS) --target crash_test
	@KQ_CRASH_ROUNDS=$(CRASH_ROUNDS) $(BUILD)/bin/crash_test

# Puts known durability bugs back on a scratch copy, one at a time, and
# checks that a crash test fails on each (tests/crash-bugs.sh).
crash-bugs: deps
	@JOBS=$(JOBS) bash tests/crash-bugs.sh

install: build
	@cmake --install $(BUILD)

clean:
	@rm -rf $(BUILD)
