#!/usr/bin/env bash
# Generation workers against a protocol-speaking fake upstream, on real processes (issues 4 and 10).
# FakeOvi (e2e-tests/src/test/java/dev/videogen/e2e/FakeOvi.java, JDK only) runs as its own JVM and serves the
# HuggingFace router + fal queue protocol of shared/HF-PROTOCOL.md, taking a fixed time per job; the workers are the
# real jar in router mode (VIDEOGEN_GENERATOR=huggingface, HF_TOKEN, HF_HUB_URL and HF_ROUTER_URL pointing at the fake).
#   overhead:  1 worker, fake 5 s, N jobs one after the other: end-to-end (requestedAt -> Completed.occurredAt) minus
#              the fake's fixed time, and the split of the time after the fake finished (from the fake's /__jobs and
#              the worker's debug lines: poll wait, result, download, poster, S3 puts, the rest = Kafka & hand-offs).
#   scale:     a fixed batch (48 jobs, fake 10 s) with 1, 2 and 4 worker processes, VIDEOGEN_WORKER_MAX_IN_FLIGHT=4
#              each, so worker capacity is the limit; jobs per minute, ratio to 1 worker, jobs per worker/partition.
#   inflight:  200 jobs of 40 s on one worker (max in flight 200): most jobs generating at once at the fake, the
#              worker's threads and RSS every second.
# Needs a running system started with VIDEOGEN_WORKERS=0 (see README.md); BENCH_UPSTREAM_STEPS picks steps.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VIDEOGEN_DATA_DIR:?export VIDEOGEN_DATA_DIR of the running system}"
OUT="$RESULTS/upstream"; mkdir -p "$OUT"
build_if_needed
s3_env   # S3 keys and the owner-cookie key of the running system (the workers need the first, the cookies the second)
STEPS="${BENCH_UPSTREAM_STEPS:-overhead scale inflight}"
FAKE_PORT="${BENCH_FAKE_PORT:-26095}"
FAKE="http://127.0.0.1:$FAKE_PORT"
OVERHEAD_JOBS="${BENCH_OVERHEAD_JOBS:-30}"
# jobs before the measured ones: JIT and connections, and a fresh worker learning when results come (PollSchedule)
OVERHEAD_WARMUP="${BENCH_OVERHEAD_WARMUP:-3}"
OVERHEAD_SECONDS="${BENCH_FAKE_OVERHEAD_SECONDS:-5}"
BATCH="${BENCH_FAKE_BATCH:-48}"
SCALE="${BENCH_SCALE_WORKERS:-1 2 4}"
SCALE_SECONDS="${BENCH_FAKE_SCALE_SECONDS:-10}"
CAP="${BENCH_MAX_IN_FLIGHT:-4}"
INFLIGHT_JOBS="${BENCH_INFLIGHT_JOBS:-200}"
INFLIGHT_SECONDS="${BENCH_FAKE_INFLIGHT_SECONDS:-40}"
TOKEN="hf_bench$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
VIDEO="$ROOT/e2e-tests/src/test/resources/fixtures/ovi-sample.mp4"
run=$(date +%s)
PNG="$(job_png)"

FAKE_PID=""
start_fake() { # job_seconds label
  stop_fake
  ! ss -Htln "sport = :$FAKE_PORT" | grep -q . || { note "port $FAKE_PORT is taken"; exit 1; }
  java -Xmx256m -XX:+UseSerialGC -Dfakeovi.threads="${BENCH_FAKE_THREADS:-16}" "$ROOT/e2e-tests/src/test/java/dev/videogen/e2e/FakeOvi.java" \
    "$FAKE_PORT" "$1" "$VIDEO" "$TOKEN" > "$DATA_ROOT/fake-$2.log" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 1 120); do curl -fsS "$FAKE/__stats" >/dev/null 2>&1 && return 0; sleep 0.5; done
  note "FakeOvi did not start"; cat "$DATA_ROOT/fake-$2.log" >&2; exit 1
}
stop_fake() {
  if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  FAKE_PID=""
}
cpu_s() { # user+system CPU seconds of a process
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0
}

start_worker_fake() { # index max_in_flight: a worker in router mode against the fake; the debug lines of the
  # generator and the runner give the poster and store times per job
  start_worker "$1" upstream-worker VIDEOGEN_GENERATOR=huggingface HF_TOKEN="$TOKEN" HF_HUB_URL="$FAKE" \
    HF_ROUTER_URL="$FAKE" VIDEOGEN_WORKER_MAX_IN_FLIGHT="$2" \
    JAVA_TOOL_OPTIONS="-Dlogging.level.dev.videogen.worker.ovi.OviVideoGenerator=DEBUG -Dlogging.level.dev.videogen.worker.generation.JobRunner=DEBUG"
}
SAMPLER=""
sampler_stop() { if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; fi; SAMPLER=""; }
trap 'sampler_stop; stop_workers; stop_fake' EXIT

submit_many() { # owner count (8 clients at a time)
  seq 1 "$2" | xargs -P 8 -I{} bash -c '. "$0/lib.sh"; curl -sS -o /dev/null -H "Cookie: videogen_owner=$(owner_cookie "$1")" \
      -F "image=@$2;type=image/png" -F "prompt=A calm ocean at dawn" "$GATEWAY/api/generate-video"' "$BENCH_DIR" "$1" "$PNG"
}
per_worker() { # file: "index succeeded-jobs" per worker
  for i in "${!WPID[@]}"; do echo "$i $(grep -c 'succeeded: ' "$DATA_ROOT/upstream-worker-$i.log" || true)"; done > "$1"
}
worker_debug() { # label: copy the timing lines of every worker (poster / stored per job) into the results
  for i in "${!WPID[@]}"; do
    grep -E 'downloaded after|poster after|stored after|result after|succeeded: ' "$DATA_ROOT/upstream-worker-$i.log" \
      | sed "s/^/worker-$i /" || true
  done > "$OUT/$1-worker-lines.txt"
}

tool skip group=generation-worker | tee "$OUT/skip.txt" >&2

# --- overhead per job: fake $OVERHEAD_SECONDS s, one job at a time ---
if [[ " $STEPS " == *" overhead "* ]]; then
  record_load upstream-overhead-start
  start_fake "$OVERHEAD_SECONDS" overhead
  start_worker_fake 0 "${BENCH_OVERHEAD_CAP:-200}"
  export BENCH_WORKERS=1
  wait_workers 1 1 upstream-worker
  for k in $(seq 1 "$OVERHEAD_WARMUP"); do wait_done "bench-warm-$run" "$(submit_job "bench-warm-$run" "$PNG")" || true; done
  owner="bench-fake-overhead-$run"
  l0=$(loadavg)
  for k in $(seq 1 "$OVERHEAD_JOBS"); do
    id=$(submit_job "$owner" "$PNG"); wait_done "$owner" "$id" || note "job $id did not finish"
  done
  tool report owner="$owner" expect="$OVERHEAD_JOBS" timeout-s=60 out="$OUT/overhead-jobs.csv" \
    | sed "s/\$/ fake_seconds=$OVERHEAD_SECONDS load_start=$(echo "$l0" | tr ' ' ',') load=$(loadavg | tr ' ' ',')/" \
    | tee "$OUT/overhead.txt" >&2
  curl -fsS "$FAKE/__jobs" > "$OUT/overhead-fake.csv"
  curl -fsS "$FAKE/__stats" > "$OUT/overhead-fake-stats.json"
  worker_debug overhead
  stop_workers
  record_load upstream-overhead-end
fi

# --- scale-out: the same batch with 1, 2, 4 workers, $CAP in flight each, fake $SCALE_SECONDS s ---
if [[ " $STEPS " == *" scale "* ]]; then
  : > "$OUT/scaleout.txt"
  start_fake "$SCALE_SECONDS" scale
  have=0
  for n in $SCALE; do
    for ((i=have; i<n; i++)); do start_worker_fake "$i" "$CAP"; done
    have=$n
    export BENCH_WORKERS=$n
    wait_workers "$n" 1 upstream-worker
    warm="bench-fake-warm-$n-$run"   # 2 jobs per worker (JIT of freshly started workers), not measured
    submit_many "$warm" $((2 * n))
    tool report owner="$warm" expect=$((2 * n)) timeout-s=300 > /dev/null
    owner="bench-fake-scale-$n-$run"
    per_worker "$OUT/per-worker-before-$n.txt"
    record_load "upstream-scale-$n-start"
    l0=$(loadavg)
    cpu0=""; for i in "${!WPID[@]}"; do cpu0="$cpu0 $(cpu_s "${WPID[$i]}")"; done
    fcpu0=$(cpu_s "$FAKE_PID")
    submit_many "$owner" "$BATCH"
    line=$(tool report owner="$owner" expect="$BATCH" timeout-s=900 out="$OUT/scale-$n-jobs.csv")
    echo "$line workers=$n cap=$CAP fake_seconds=$SCALE_SECONDS load_start=$(echo "$l0" | tr ' ' ',') load=$(loadavg | tr ' ' ',')" \
      | tee -a "$OUT/scaleout.txt" >&2
    cpu1=""; for i in "${!WPID[@]}"; do cpu1="$cpu1 $(cpu_s "${WPID[$i]}")"; done
    echo "workers=$n worker_cpu_before=[${cpu0# }] worker_cpu_after=[${cpu1# }] fake_cpu_s=$(echo "$(cpu_s "$FAKE_PID") - $fcpu0" | bc)" \
      | tr ' ' ' ' >> "$OUT/scale-cpu.txt"
    record_load "upstream-scale-$n-end"
    per_worker "$OUT/per-worker-after-$n.txt"
    # which worker ran which job (its partition is in scale-$n-jobs.csv)
    for i in "${!WPID[@]}"; do
      { grep -o 'job [0-9A-Za-z-]* succeeded' "$DATA_ROOT/upstream-worker-$i.log" || true; } | awk -v w="$i" '{print w, $2}'
    done > "$OUT/scale-$n-job-worker.txt"
  done
  curl -fsS "$FAKE/__stats" > "$OUT/scale-fake-stats.json"
  stop_workers
fi

# --- 200 in flight on one worker, fake $INFLIGHT_SECONDS s ---
if [[ " $STEPS " == *" inflight "* ]]; then
  start_fake "$INFLIGHT_SECONDS" inflight
  start_worker_fake 0 "$INFLIGHT_JOBS"
  export BENCH_WORKERS=1
  wait_workers 1 1 upstream-worker
  warm="bench-fake-warm-inflight-$run"
  submit_many "$warm" 2
  tool report owner="$warm" expect=2 timeout-s=300 > /dev/null
  curl -fsS "$FAKE/__stats" > "$OUT/inflight-fake-stats-before.json"
  record_load upstream-inflight-start
  l0=$(loadavg)
  wpid="${WPID[0]}"
  ( while true; do
      echo "$(date +%s.%N) threads=$(awk '/^Threads/{print $2}' "/proc/$wpid/status") rss_kb=$(rss_kb "$wpid") cpu_s=$(cpu_s "$wpid") fake_cpu_s=$(cpu_s "$FAKE_PID") $(curl -s "$FAKE/__stats")"
      sleep 1
    done ) > "$OUT/inflight-samples.txt" &
  SAMPLER=$!
  owner="bench-fake-inflight-$run"
  # straight to the requests topic, the image as a data: URI: through the gateway (~2 submits/s with the curl and
  # openssl per request on this loaded machine) the first jobs would finish before the last ones were submitted
  if [ "${BENCH_INFLIGHT_VIA:-kafka}" = kafka ]; then
    tool jobs owner="$owner" prefix="bench-inflight-$run" count="$INFLIGHT_JOBS" image-file="$PNG" >&2
  else
    submit_many "$owner" "$INFLIGHT_JOBS"
  fi
  tool report owner="$owner" expect="$INFLIGHT_JOBS" timeout-s=600 out="$OUT/inflight-jobs.csv" \
    | sed "s/\$/ fake_seconds=$INFLIGHT_SECONDS load_start=$(echo "$l0" | tr ' ' ',') load=$(loadavg | tr ' ' ',')/" \
    | tee "$OUT/inflight.txt" >&2
  sleep 2
  sampler_stop
  curl -fsS "$FAKE/__stats" > "$OUT/inflight-fake-stats.json"
  curl -fsS "$FAKE/__jobs" > "$OUT/inflight-fake.csv"
  worker_debug inflight
  record_load upstream-inflight-end
  stop_workers
fi
stop_fake
