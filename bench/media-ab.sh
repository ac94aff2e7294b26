#!/usr/bin/env bash
# Before/after for media delivery: bench/media.sh against two more media-service processes on one running system
# (same Redis, object store and files), alternating which goes first each round, so both see the same machine.
#   BENCH_AB_ARMS="c1 c2"   two labels; for each label L:
#     BENCH_AB_OPTS_L         JVM options appended to ./run.sh's (as VIDEOGEN_JVM_OPTS_MEDIA), e.g.
#                             BENCH_AB_OPTS_c2="-XX:TieredStopAtLevel=4" for the full JIT
#   Both arms run this tree's jar through ./run.sh component media-service, so they get exactly ./run.sh's flags
#   (to compare two builds, run it from two checkouts in turn).
#   BENCH_AB_ROUNDS=4       BENCH_MEDIA_* as for media.sh
# Ports: the arms listen on VIDEOGEN_MEDIA_PORT + 20 and + 21 (26102, 26103 by default).
# Every media.sh run holds /tmp/videogen-bench.lock. Results: $BENCH_RESULTS/<label>-r<round>/media/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_if_needed
read -r -a ARMS <<< "${BENCH_AB_ARMS:?two labels, e.g. \"c1 c2\"}"
[ "${#ARMS[@]}" = 2 ] || { echo "BENCH_AB_ARMS: two labels" >&2; exit 2; }
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-media-ab"
start_system media-ab 0 0 "$VIDEOGEN_DATA_DIR"
ARM_PIDS=()
trap 'stop_arms; stop_system' EXIT
declare -A PORT
base_jar="$(ls "$ROOT"/media-service/target/media-service-*-exec.jar | head -n 1)"
for i in 0 1; do
  label="${ARMS[$i]}"; PORT[$label]=$((VIDEOGEN_MEDIA_PORT + 20 + i))
  opts_var="BENCH_AB_OPTS_$label"
  mkdir -p "$RESULTS"
  start_media_arm "$label" "${PORT[$label]}" "${!opts_var:-}" "$RESULTS/media-$label.log"
  ARM_PIDS+=($!)
  note "arm $label: port ${PORT[$label]}, jar $base_jar, options '${!opts_var:-}'"
done
for label in "${ARMS[@]}"; do
  await_url "http://127.0.0.1:${PORT[$label]}/actuator/health" 150 || { note "arm $label did not start"; exit 1; }
done
for ((round=1; round<=${BENCH_AB_ROUNDS:-4}; round++)); do
  order=("${ARMS[@]}"); (( round % 2 == 0 )) && order=("${ARMS[1]}" "${ARMS[0]}")
  for label in "${order[@]}"; do
    note "round $round: $label, load $(loadavg)"
    BENCH_RESULTS="$RESULTS/$label-r$round" VIDEOGEN_MEDIA_PORT="${PORT[$label]}" \
      flock /tmp/videogen-bench.lock bash "$BENCH_DIR/media.sh"
    pid="$(pid_of_port "${PORT[$label]}")"
    [ -n "$pid" ] && echo "$label round $round rss_kb $(rss_kb "$pid")" >> "$RESULTS/arm-rss.txt"
  done
done
note "results: $RESULTS"
