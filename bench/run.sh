#!/usr/bin/env bash
# `make bench`: the micro-benchmarks, then the side-by-side probe throughput run against
# blackbox_exporter at 10k and 100k configured checks. About 3-4 minutes in all.
# Figures land in bench/results/ (git-ignored); docs/performance.md quotes a run of this.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
mkdir -p bench/results

"$BUILD/bench/vigil_bench" --benchmark_min_time=0.2 \
  --benchmark_out=bench/results/micro.json --benchmark_out_format=json

python3 bench/probe_throughput.py --vigil "$BUILD/vigil" --checks 10000 100000 "$@"
