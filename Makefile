# The two commands of README.md. Everything else is a helper of theirs.
.PHONY: run test bench deps build-release build-asan clean
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

run: build-release
	mkdir -p data
	./build/release/vigil run -c $(CONFIG)

test: build-asan
	cd build/asan && ctest --output-on-failure -j $(JOBS) --timeout 600

bench:
	@bash scripts/install-deps.sh --bench
	cmake --preset bench >/dev/null
	cmake --build --preset bench -j $(JOBS)
	bash bench/run.sh

clean:
	rm -rf build
