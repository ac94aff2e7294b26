#!/usr/bin/env bash
# Generation workers: overhead per job and scale-out.
#   overhead:  1 worker, demo generator 0 s, N jobs one after the other (no queueing): per job, end-to-end
#              (requestedAt -> Completed.occurredAt, both from the events topic) minus generator time
#              (Started -> the "storing the video" Progressed event).
#   scale-out: a fixed batch (24 jobs, demo 2 s) with 1, 2 and 4 workers; jobs per minute and the ratio to 1 worker.
# Needs a running system started with VIDEOGEN_WORKERS=0. The workers are started here, one JVM each, with the
# very command line ./run.sh uses for VIDEOGEN_WORKERS=N (so the count changes without restarting Kafka & co.).
# Whatever earlier benchmarks left in the requests topic is skipped first (consumer group moved to the end).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VIDEOGEN_DATA_DIR:?export VIDEOGEN_DATA_DIR of the running system}"
OUT="$RESULTS/workers"; mkdir -p "$OUT"
build_if_needed
s3_env
OVERHEAD_JOBS="${BENCH_OVERHEAD_JOBS:-30}"
BATCH="${BENCH_BATCH:-24}"
SCALE="${BENCH_SCALE_WORKERS-1 2 4}"   # set but empty: no scale-out step
DEMO="${BENCH_DEMO_SECONDS:-2}"
run=$(date +%s)
PNG="$(job_png)"

SLOTS="${VIDEOGEN_WORKER_CONCURRENCY:-1}"   # consumer threads per worker JVM (the worker's default is 1)
trap 'stop_workers; rss_sampler_stop' EXIT


tool skip group=generation-worker | tee "$OUT/skip.txt" >&2

# --- overhead per job: demo 0 s, one job at a time (BENCH_OVERHEAD_JOBS=0 skips it) ---
if [ "$OVERHEAD_JOBS" -gt 0 ]; then
record_load overhead-start
start_worker 0 worker VIDEOGEN_DEMO_SECONDS=0 VIDEOGEN_GENERATOR=demo
export BENCH_WORKERS=1
wait_workers 1 "$SLOTS" worker
for k in 1 2 3; do wait_done "bench-warm-$run" "$(submit_job "bench-warm-$run" "$PNG")" || true; done   # JIT, connections
rss_sampler_start overhead "$OUT/rss-samples.txt"
owner="bench-overhead-$run"
for k in $(seq 1 "$OVERHEAD_JOBS"); do
  id=$(submit_job "$owner" "$PNG"); wait_done "$owner" "$id" || note "job $id did not finish"
done
rss_sampler_stop
tool report owner="$owner" expect="$OVERHEAD_JOBS" timeout-s=60 out="$OUT/overhead-jobs.csv" \
  | sed "s/\$/ load=$(loadavg | tr ' ' ',')/" | tee "$OUT/overhead.txt" >&2
stop_workers
record_load overhead-end
fi

# --- scale-out: the same batch with 1, 2, 4 workers (demo $DEMO s) ---
: > "$OUT/scaleout.txt"
have=0
for n in $SCALE; do
  for ((i=have; i<n; i++)); do start_worker "$i" worker VIDEOGEN_DEMO_SECONDS="$DEMO" VIDEOGEN_GENERATOR=demo; done
  have=$n
  export BENCH_WORKERS=$n
  wait_workers "$n" "$SLOTS" worker
  # warm-up: 2 jobs per worker (JIT of freshly started workers), not measured
  warm="bench-warm-$n-$run"
  seq 1 $((2 * n)) | xargs -P 8 -I{} bash -c '. "$0/lib.sh"; curl -sS -o /dev/null -H "Cookie: videogen_owner=$(owner_cookie "$1")" \
      -F "image=@$2;type=image/png" -F "prompt=warm-up" "$GATEWAY/api/generate-video"' "$BENCH_DIR" "$warm" "$PNG"
  tool report owner="$warm" expect=$((2 * n)) timeout-s=300 > /dev/null
  owner="bench-scale-$n-$run"
  for i in "${!WPID[@]}"; do echo "$i $(grep -c 'job succeeded' "$DATA_ROOT/worker-$i.log" || true)"; done > "$OUT/per-worker-before-$n.txt"
  record_load "scale-$n-start"
  rss_sampler_start "scale-$n" "$OUT/rss-samples.txt"
  seq 1 "$BATCH" | xargs -P 8 -I{} bash -c '. "$0/lib.sh"; curl -sS -o /dev/null -H "Cookie: videogen_owner=$(owner_cookie "$1")" \
      -F "image=@$2;type=image/png" -F "prompt=A calm ocean at dawn" "$GATEWAY/api/generate-video"' "$BENCH_DIR" "$owner" "$PNG"
  tool report owner="$owner" expect="$BATCH" timeout-s=600 out="$OUT/scale-$n-jobs.csv" \
    | sed "s/\$/ workers=$n load=$(loadavg | tr ' ' ',')/" | tee -a "$OUT/scaleout.txt" >&2
  rss_sampler_stop
  record_load "scale-$n-end"
  for i in "${!WPID[@]}"; do echo "$i $(grep -c 'job succeeded' "$DATA_ROOT/worker-$i.log" || true)"; done > "$OUT/per-worker-after-$n.txt"
done
stop_workers
