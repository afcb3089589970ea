#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz (built by `cmake --preset fuzz`) for a bounded time,
# two at a time, from its seed corpus tests/fuzz/corpus/<name>/. A crash, a sanitizer report, a
# broken invariant (FUZZ_CHECK), one input taking over 5 s or a process over 2 GB fails the run;
# the input is kept as <build>/findings/<name>/crash-* (or timeout-*, oom-*): reproduce with
# <build>/tests/fuzz/fuzz_<name> FILE.
# By default each target makes a fixed number of runs from a fixed seed (about 20 s each here),
# so `make test` is reproducible: a red run is the change's doing. FUZZ_SECONDS=N explores
# instead: N seconds each, a new random seed every time; findings go in corpus/ as regressions.
set -uo pipefail
BUILD=$(cd "${1:-build/fuzz}" && pwd)
SRC=$(cd "$(dirname "$0")" && pwd)
TARGETS=(events_v2 alertmanager condition config access_log apache)
declare -A RUNS=([events_v2]=2000000 [alertmanager]=600000 [condition]=1000000 [config]=20000 [access_log]=1500000 [apache]=700000)

budget() {  # libFuzzer flags bounding one target's run
  if [[ -n "${FUZZ_SECONDS:-}" ]]; then echo "-max_total_time=$FUZZ_SECONDS"; else echo "-seed=1 -runs=${RUNS[$1]}"; fi
}

run_one() {
  local name=$1 found="$BUILD/findings/$1" work
  work=$(mktemp -d)
  mkdir -p "$found"
  # stdin from /dev/null: a config naming /dev/stdin as a secret file must not wait for a tty.
  # shellcheck disable=SC2046
  "$BUILD/tests/fuzz/fuzz_$name" $(budget "$name") -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$found/" "$work" "$SRC/corpus/$name" </dev/null >"$found/log" 2>&1
  local rc=$?
  rm -rf "$work"
  if [[ $rc -ne 0 ]]; then
    echo "FAIL fuzz_$name (exit $rc):"
    grep -E "ERROR|invariant broken|SUMMARY|Test unit written" "$found/log" | head -20
    return 1
  fi
  echo "PASS fuzz_$name: $(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$found/log" | tail -1)s"
}

failed=0
for ((i = 0; i < ${#TARGETS[@]}; i += 2)); do
  pids=()
  for name in "${TARGETS[@]:i:2}"; do
    run_one "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit $failed
