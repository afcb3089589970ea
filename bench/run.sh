#!/usr/bin/env bash
# `make bench`: the micro-benchmarks, then the side-by-side probe throughput run against
# blackbox_exporter at 10k and 100k configured checks. About 3-4 minutes in all.
# events_ingest.py (issue #4): Events API ingestion against Alertmanager's /api/v2/alerts,
# RSS after 1M events and paging latency; about 5 more minutes (it first waits for running
# compiles and tests to finish, at most 10 minutes).
# ui_load.py (issue #7): the overview page and incidents API with 1,000 services and 10,000
# incidents in the store, p50/p99 and page weight; about 1 minute.
# heartbeat_ping.py: heartbeat pings against the Prometheus Pushgateway; about 30 s.
# protocol_probes.py: tls and dns checks against blackbox_exporter's tcp+tls and dns probers; about 2 minutes.
# Figures land in bench/results/ (git-ignored); docs/performance.md quotes a run of this.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
mkdir -p bench/results

"$BUILD/bench/vigil_bench" --benchmark_min_time=0.2 \
  --benchmark_out=bench/results/micro.json --benchmark_out_format=json

python3 bench/probe_throughput.py --vigil "$BUILD/vigil" --checks 10000 100000 "$@"
python3 bench/logs_analyze.py --vigil "$BUILD/vigil" --gen "$BUILD/bench/gen_access_log"
python3 bench/events_ingest.py --vigil "$BUILD/vigil"
python3 bench/tail_overhead.py --vigil "$BUILD/vigil"
python3 bench/ui_load.py --vigil "$BUILD/vigil"
python3 bench/heartbeat_ping.py --vigil "$BUILD/vigil"
python3 bench/protocol_probes.py --vigil "$BUILD/vigil"
