# The two commands a newcomer needs:
#   make demo   build naru and tell the story of a ping on the simulated Internet
#   make test   install what the tests need (Debian packages), build, run them all
# and to put naru on the system: make install [PREFIX=/usr/local] [DESTDIR=]
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NARU_WERROR ?= OFF
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build build-deps demo deps install test test-unit asan-test fuzz fuzz-smoke bench clean

all: build

build:
	@cmake -S . -B $(BUILD) -DNARU_WERROR=$(NARU_WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The demo and the README's tour need the full build (scenario files too):
# the Debian packages for it first, when there is root or sudo to install them.
demo: build-deps build
	@./$(BUILD)/naru demo

build-deps:
	@scripts/install-deps.sh --build

deps:
	@scripts/install-deps.sh

# The program, the libraries, the headers, naru.pc/naru_core.pc and the
# CMake package under PREFIX, staged under DESTDIR if given.
install:
	@cmake -S . -B $(BUILD) -DNARU_WERROR=$(NARU_WERROR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD)

test: deps
	@cmake -S . -B $(BUILD) -DNARU_WERROR=$(NARU_WERROR) -DNARU_REQUIRE_TESTS=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Unit and simulation tests only (no root needed).
test-unit: deps
	@cmake -S . -B $(BUILD) -DNARU_WERROR=$(NARU_WERROR) -DNARU_REQUIRE_TESTS=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE interop

# The unit and simulation tests under AddressSanitizer and UBSan.
asan-test: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DNARU_SANITIZE=ON -DNARU_WERROR=$(NARU_WERROR) \
	    -DNARU_REQUIRE_TESTS=ON >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	@cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -j$(JOBS) -LE interop

# libFuzzer targets (clang). fuzz-smoke runs each briefly over its corpus.
FUZZ_SECONDS ?= 20
fuzz: deps
	@CC=clang cmake -S . -B $(BUILD)-fuzz -DNARU_FUZZ=ON -DNARU_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS)

fuzz-smoke: fuzz
	@scripts/fuzz-smoke.sh $(BUILD)-fuzz $(FUZZ_SECONDS)

bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz
