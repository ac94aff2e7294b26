#!/usr/bin/env bash
# Live updates: latency from a Progressed event published to Kafka to the SSE `data:` line read by a client,
# with 1, 100 and 1,000 open streams on the status service (GET /api/video-jobs/{id}/events), each stream on its
# own job, events at ~8/s to one job after another. Then two stress cases: 1,000 streams on ONE job (each event
# fanned out to all of them) and 100 streams with events at ~40/s (what the fold keeps up with).
# The send time is taken just before producer.send(), in the same JVM that reads the streams (bench/java).
# Reference, in the same run: a client polling GET /api/video-jobs/{id} every 2 s (the original page) sees a
# change after U(0, 2 s) + one GET; the GET is timed by the same tool against the same service.
# Needs a running system with VIDEOGEN_WORKERS=0 (no worker touches the bench jobs).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
OUT="$RESULTS/live"; mkdir -p "$OUT"
build_if_needed
STREAMS="${BENCH_LIVE_STREAMS:-1 100 1000}"
EVENTS="${BENCH_LIVE_EVENTS:-150}"
run=$(date +%s)
record_load live-start
: > "$OUT/summary.txt"
case_() { # name streams mode events interval-ms
  rss_sampler_start "$1" "$OUT/rss-samples.txt"
  line=$(tool sse status="$STATUS" owner=bench-live streams="$2" mode="$3" events="$4" interval-ms="$5" \
           run="$run-$1" out="$OUT/latency-$1.csv" 2>>"$OUT/tool.log")
  rss_sampler_stop
  echo "case=$1 interval_ms=$5 $line load=$(loadavg | tr ' ' ',')" | tee -a "$OUT/summary.txt" >&2
}
for n in $STREAMS; do case_ "distinct-$n" "$n" distinct "$EVENTS" 100; done
[ -n "${BENCH_LIVE_SAME:-1000}" ] && case_ "same-${BENCH_LIVE_SAME:-1000}" "${BENCH_LIVE_SAME:-1000}" same 30 300
[ -n "${BENCH_LIVE_BURST:-100}" ] && case_ "burst-${BENCH_LIVE_BURST:-100}" "${BENCH_LIVE_BURST:-100}" distinct 300 20
record_load live-end
