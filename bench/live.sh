#!/usr/bin/env bash
# Live updates: latency from a Progressed event published to Kafka to the SSE `data:` line read by a client, with
# 1, 100 and 1,000 open streams, each stream on its own running job (requested, then Started), events at ~8/s to one
# job after another: on the status service directly, then through the gateway (the one origin browsers use). Then
# two stress cases: 1,000 streams on ONE job (each event fanned out to all of them) and 100 streams with events at
# ~40/s. The send time is taken just before producer.send(), in the same JVM that reads the streams (bench/java).
# References, in the same run:
#  - polling: a client polling GET /api/video-jobs/{id} every 2 s (the original page) sees a change after
#    U(0, 2 s) + one GET; the GET is timed by the same tool against the same target;
#  - floor (direct cases): the same client against a trivial SSE server in its own JVM, same streams and pace: what
#    the client and loopback alone cost on this machine at that moment;
#  - direct (gateway cases): the same jobs also followed on the status service directly, so per event the proxy
#    hop's cost is gateway arrival - direct arrival.
# The status service's own metrics split the path: fold lag (record timestamp -> announced), fold apply time.
# Needs a running system with VIDEOGEN_WORKERS=0 (no worker touches the bench jobs) and VIDEOGEN_OWNER_KEY (taken
# from $VIDEOGEN_DATA_DIR/secrets.env when unset) to sign the owner cookie for the gateway.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
OUT="$RESULTS/live"; mkdir -p "$OUT"
build_if_needed
if [ -z "${VIDEOGEN_OWNER_KEY:-}" ] && [ -n "${VIDEOGEN_DATA_DIR:-}" ]; then s3_env; fi
export VIDEOGEN_OWNER_KEY
STREAMS="${BENCH_LIVE_STREAMS:-1 100 1000}"
EVENTS="${BENCH_LIVE_EVENTS:-150}"
run=$(date +%s)
record_load live-start
: > "$OUT/summary.txt"
case_() { # name streams mode events interval-ms target [extra tool arguments]
  local name="$1" streams="$2" mode="$3" events="$4" interval="$5" target="$6"; shift 6
  rss_sampler_start "$name" "$OUT/rss-samples.txt"
  line=$(tool sse status="$STATUS" target="$target" owner=bench-live streams="$streams" mode="$mode" \
           events="$events" interval-ms="$interval" run="$run-$name" out="$OUT/latency-$name.csv" "$@" 2>>"$OUT/tool.log")
  rss_sampler_stop
  echo "case=$name interval_ms=$interval $line load=$(loadavg | tr ' ' ',')" | tee -a "$OUT/summary.txt" >&2
}
for n in $STREAMS; do case_ "distinct-$n" "$n" distinct "$EVENTS" 100 "$STATUS" floor=true; done
if [ -n "${BENCH_LIVE_GATEWAY-1}" ]; then  # set empty to skip
  for n in $STREAMS; do case_ "gateway-$n" "$n" distinct "$EVENTS" 100 "$GATEWAY"; done
fi
[ -n "${BENCH_LIVE_SAME-1000}" ] && case_ "same-${BENCH_LIVE_SAME:-1000}" "${BENCH_LIVE_SAME:-1000}" same 30 300 "$STATUS"
[ -n "${BENCH_LIVE_BURST-100}" ] && case_ "burst-${BENCH_LIVE_BURST:-100}" "${BENCH_LIVE_BURST:-100}" distinct 300 20 "$STATUS"
record_load live-end
