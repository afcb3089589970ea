# The two commands of README.md. Everything else is a helper of theirs.
.PHONY: run run-daemon test bench deps build-release build-asan build-fuzz clean
JOBS ?= $(shell nproc)
CONFIG ?= vigil.yaml

deps:
	@bash scripts/install-deps.sh

build-release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

# libFuzzer targets of the parsers of outside input (clang): tests/fuzz.
build-fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

# `vigil demo`: the seed outage replayed live on a real local Apache2 (docs/operations.md#the-demo).
# DEMO_FLAGS, e.g. `make run DEMO_FLAGS="--speed 4"`.
run: build-release
	./build/release/vigil demo $(DEMO_FLAGS)

# The daemon with $(CONFIG) (vigil.yaml: vigil watching itself).
run-daemon: build-release
	mkdir -p data
	./build/release/vigil run -c $(CONFIG)

test: build-asan build-fuzz
	cd build/asan && ctest --output-on-failure -j $(JOBS) --timeout 600
	bash tests/fuzz/run.sh build/fuzz

bench:
	@bash scripts/install-deps.sh --bench
	cmake --preset bench >/dev/null
	cmake --build --preset bench -j $(JOBS)
	bash bench/run.sh

clean:
	rm -rf build
