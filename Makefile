# Front door.  `make demo` and `make test` do everything on a fresh Debian 12.
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build asan test test-unit check-format format demo demo-ipvs install clean fuzz
FUZZ_SECONDS ?= 3600

all: build

deps:
	@scripts/deps.sh

$(BUILD)/Makefile $(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

asan:
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DKA_SANITIZE=ON
	cmake --build $(ASAN) -j $(JOBS)

# Every test: the sanitizer build runs the unit, config and namespace tests,
# the normal build runs them all; one closing count line for both.
test: deps
	@$(MAKE) --no-print-directory build asan
	@scripts/run-tests.sh $(BUILD) $(ASAN)

test-unit: build
	cd $(BUILD) && ctest -L unit --output-on-failure

check-format:
	@scripts/format.sh --check

format:
	@scripts/format.sh

demo: deps build
	@scripts/demo.sh $(BUILD)/keepalived

# The same story with real IPVS (lb_kind DR) in a qemu VM: tests/vm/
demo-ipvs: deps build
	@scripts/demo-ipvs.sh $(BUILD)

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz

# Long libFuzzer campaign (clang, build-fuzz): summary in bench/results/fuzz-<date>.txt
fuzz: deps
	@scripts/fuzz.sh campaign $(FUZZ_SECONDS)
