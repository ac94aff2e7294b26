#!/usr/bin/env bash
# Before/after for the live-update path: the same bench/live.sh cases against status-service jars taken from different
# commits, alternating, each on a freshly started system (./run.sh through lib.sh; everything else is this tree's).
#   BENCH_AB_JARS="before=/tmp/status-old.jar after=/tmp/status-new.jar"  label=jar, run in this order per round
#     a jar may be left out ("serial= parallel="): that arm runs this tree's jar; either way the status service of arm
#     LABEL gets the JVM options in BENCH_AB_OPTS_LABEL, if set (as VIDEOGEN_JVM_OPTS_STATUS, see run.sh)
#   BENCH_AB_ROUNDS=2   BENCH_LIVE_* as for live.sh (BENCH_LIVE_GATEWAY= and BENCH_LIVE_SAME= skip those cases)
#   BENCH_AB_WARMUP=10  streams of a throw-away distinct case right after each start (the JVMs of a fresh system are
#                       still compiling: without it the first measured case pays for that); empty: none
# Every timed live.sh run holds /tmp/videogen-bench.lock (other benchmarks on the machine wait, and so do we).
# Results: $BENCH_RESULTS/<label>-<round>/live/summary.txt, the status service's metrics at the end of the run
# (status-prometheus.txt: GC pauses, fold timers), plus loadavg.txt and startup.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_if_needed
JAR_DIR="$ROOT/status-service/target"
target_jar="$(ls "$JAR_DIR"/status-service-*-exec.jar | head -n 1)"
saved="$DATA_ROOT/status-service-exec.jar.saved"
cp "$target_jar" "$saved"
trap 'stop_system; cp "$saved" "$target_jar"' EXIT
for ((round=1; round<=${BENCH_AB_ROUNDS:-2}; round++)); do
  for pair in ${BENCH_AB_JARS:?label=jar ...}; do
    label="${pair%%=*}"; jar="${pair#*=}"
    if [ -n "$jar" ]; then cp "$jar" "$target_jar"; else cp "$saved" "$target_jar"; jar="$saved"; fi
    opts_var="BENCH_AB_OPTS_$label"; export VIDEOGEN_JVM_OPTS_STATUS="${!opts_var:-}"
    start_system "$label-$round" 0 0 "$DATA_ROOT/system"
    note "$label, round $round: $(basename "$jar") ${VIDEOGEN_JVM_OPTS_STATUS}, load $(loadavg)"
    if [ -n "${BENCH_AB_WARMUP-10}" ]; then
      BENCH_RESULTS="$RESULTS/warmup/$label-$round" VIDEOGEN_DATA_DIR="$DATA_ROOT/system" \
        BENCH_LIVE_STREAMS="${BENCH_AB_WARMUP:-10}" BENCH_LIVE_EVENTS=80 BENCH_LIVE_BURST= BENCH_LIVE_GATEWAY= BENCH_LIVE_SAME= \
        flock /tmp/videogen-bench.lock bash "$BENCH_DIR/live.sh"
    fi
    BENCH_RESULTS="$RESULTS/$label-$round" VIDEOGEN_DATA_DIR="$DATA_ROOT/system" \
      flock /tmp/videogen-bench.lock bash "$BENCH_DIR/live.sh"
    curl -fsS "$STATUS/actuator/prometheus" > "$RESULTS/$label-$round/status-prometheus.txt" || true
    stop_system
  done
done
