#!/usr/bin/env bash
# Before/after for media delivery: bench/media.sh against two more media-service processes on one running system
# (same Redis, object store and files), alternating which goes first each round, so both see the same machine.
#   BENCH_AB_ARMS="c1 c2"   two labels; for each label L:
#     BENCH_AB_OPTS_L         JVM options appended to ./run.sh's (as VIDEOGEN_JVM_OPTS_MEDIA), e.g.
#                             BENCH_AB_OPTS_c1="-XX:TieredStopAtLevel=1" for C1 only (./run.sh gives the full JIT)
#   Both arms run this tree's jar through ./run.sh component media-service, so they get exactly ./run.sh's flags
#   (to compare two builds, run it from two checkouts in turn).
#   BENCH_AB_ROUNDS=4       BENCH_MEDIA_* as for media.sh
# Ports: the arms listen on VIDEOGEN_MEDIA_PORT + 20 and + 21 (26102, 26103 by default).
# Every media.sh run holds /tmp/videogen-bench.lock. Results: $BENCH_RESULTS/<label>-r<round>/media/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_if_needed
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-media-ab"
start_system media-ab 0 0 "$VIDEOGEN_DATA_DIR"
ARM_PIDS=()
trap 'stop_arms; stop_system' EXIT
start_ab_arms media $((VIDEOGEN_MEDIA_PORT + 20))
ab_rounds "${BENCH_AB_ROUNDS:-4}" VIDEOGEN_MEDIA_PORT media.sh
note "results: $RESULTS"
