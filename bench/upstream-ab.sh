#!/usr/bin/env bash
# Before/after for the overhead per job against the fake upstream: one system (from ROOT_B, no worker), then
# bench/upstream.sh's overhead step alternately with ROOT_A's and ROOT_B's, each starting its own worker jar with its
# own flags (so every arm starts a fresh worker). ROOT_A is another checkout with its jars built (a git worktree).
#   usage: bench/upstream-ab.sh LABEL ROUNDS JOBS ROOT_A ROOT_B    (BENCH_OVERHEAD_WARMUP as for upstream.sh)
# Results: ROOT_B/bench/results/upstream-ab-<time>-LABEL/{A,B}-<round>/upstream/; split per job with
# bench/overhead-split.py DIR.
set -uo pipefail
LABEL="$1"; ROUNDS="$2"; JOBS="$3"; A="$4"; B="$5"
OUTROOT="$B/bench/results/upstream-ab-$(date +%Y%m%d-%H%M%S)-$LABEL"; mkdir -p "$OUTROOT"
export BENCH_RESULTS="$OUTROOT"
. "$B/bench/lib.sh"
DATA="$DATA_ROOT/sys-$LABEL"; rm -rf "$DATA"
export VIDEOGEN_DATA_DIR="$DATA"
start_system "$LABEL" 0 0 "$DATA" || exit 1
trap stop_system EXIT
for r in $(seq 1 "$ROUNDS"); do
  for arm in A B; do
    root=$A; [ $arm = B ] && root=$B
    BENCH_RESULTS="$OUTROOT/$arm-$r" BENCH_OVERHEAD_JOBS="$JOBS" BENCH_UPSTREAM_STEPS=overhead \
      flock /tmp/videogen-bench.lock bash "$root/bench/upstream.sh" 2>&1 | grep -v "^\[bench" | tail -2
    echo "$arm-$r $(loadavg)"
  done
done
echo "results: $OUTROOT"
