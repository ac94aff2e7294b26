#!/usr/bin/env bash
# Every benchmark in one go (about 35-40 minutes on 2 shared cores), then the tables and charts:
#   1. ./run.sh cold start (empty data dir) with VIDEOGEN_WORKERS=0 -> time to healthy, idle RSS
#   2. media.sh   (media-service / gateway / nginx, full + range, 2 MiB + 50 MiB, 1 + 64 clients)
#   3. live.sh    (Kafka event -> SSE line, 1 / 100 / 1000 streams)
#   4. submit.sh  (POST /api/generate-video, 1 / 16 / 64 clients, beside /actuator/health)
#   5. workers.sh (overhead per job with demo 0 s; scale-out 1 / 2 / 4 workers)
#   5b. upstream.sh (the same against FakeOvi, a protocol-speaking fake upstream in its own JVM; 200 in flight)
#   6. stop, then a warm ./run.sh start (same data dir, 1 worker) -> time to healthy, idle RSS with a worker
#   7. report.py -> $RESULTS/summary.md and docs/benchmarks-*.png
# Results go to bench/results/<timestamp>/ (bench/results/latest links to the newest).
# A subset: BENCH_STEPS="workers" BENCH_RESULTS=bench/results/<that run> bench/run-all.sh re-runs only those steps
# on the existing data dir (a warm start) and adds to that results directory; the report is rebuilt from all of it.
# Loopback only, on ports 26079-26093 (override with the VIDEOGEN_* variables, see lib.sh); every load is
# bounded in time or count; everything started here is stopped on exit, also on Ctrl-C.
set -euo pipefail
STAMP="$(date +%Y%m%d-%H%M%S)"
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
export BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/$STAMP}"
. "$BENCH_DIR/lib.sh"
STEPS="${BENCH_STEPS:-media live submit workers upstream}"
[ -d "$BENCH_DIR/results/latest" ] && [ ! -L "$BENCH_DIR/results/latest" ] && rmdir "$BENCH_DIR/results/latest" 2>/dev/null
ln -sfn "$(basename "$BENCH_RESULTS")" "$BENCH_DIR/results/latest" 2>/dev/null || true
trap 'rss_sampler_stop; stop_system' EXIT
trap 'exit 130' INT TERM

DATA="$DATA_ROOT/system"
full=false; [ "$STEPS" = "media live submit workers upstream" ] && full=true
$full && rm -rf "$DATA" # a cold start needs an empty data dir (only this benchmark's own scratch dir)
export VIDEOGEN_DATA_DIR="$DATA"
build_if_needed

$full && {
  echo "date=$(date -Is)"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
  echo "mem_total_mib=$(free -m | awk '/^Mem:/{print $2}')"
  echo "kernel=$(uname -r)"
  echo "java=$(java -version 2>&1 | head -n 2 | tr '\n' ' ')"
  echo "wrk=$(wrk -v 2>&1 | head -n 1)"
  echo "nginx=$(nginx -v 2>&1)"
  echo "loadavg_at_start=$(loadavg)"
} > "$BENCH_RESULTS/machine.txt"
cat "$BENCH_RESULTS/machine.txt" >&2
$full || echo "partial_rerun=$(date -Is) steps=[$STEPS] loadavg=$(loadavg)" >> "$BENCH_RESULTS/machine.txt"

alive() { kill -0 "$RUNSH_PID" 2>/dev/null || { note "run.sh is gone (stopped from outside?); see $DATA_ROOT/run-*.log"; exit 1; }; }

t0=$(date +%s)
start_system "$($full && echo cold || echo rerun)" 0 2 "$DATA"
sleep 5
$full && rss_snapshot idle "$BENCH_RESULTS/rss-idle.txt"
for step in $STEPS; do
  alive
  note "== $step (load $(loadavg))"
  bash "$BENCH_DIR/$step.sh" || note "$step failed (exit $?)"
done
alive
$full && rss_snapshot after-load "$BENCH_RESULTS/rss-idle.txt"
stop_system

if $full; then
  BENCH_WORKERS=1
  start_system warm 1 2 "$DATA"
  sleep 5
  rss_snapshot idle-warm "$BENCH_RESULTS/rss-idle.txt"
  stop_system
fi
echo "loadavg_at_end=$(loadavg)" >> "$BENCH_RESULTS/machine.txt"
note "all benchmarks took $(( $(date +%s) - t0 ))s"

/usr/bin/python3 "$BENCH_DIR/report.py" "$BENCH_RESULTS" "$ROOT/docs"
note "summary: $BENCH_RESULTS/summary.md"
