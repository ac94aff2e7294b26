# Shared helpers of the benchmark scripts. Source it; it never starts anything by itself.
# Everything binds to 127.0.0.1 on a 260xx port range (override with the usual VIDEOGEN_* variables): below Linux's
# ephemeral range (32768-60999), so no client socket of anything on the machine can sit on one of them.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"

export VIDEOGEN_PORT="${VIDEOGEN_PORT:-26080}"
export VIDEOGEN_STATUS_PORT="${VIDEOGEN_STATUS_PORT:-26081}"
export VIDEOGEN_MEDIA_PORT="${VIDEOGEN_MEDIA_PORT:-26082}"
export VIDEOGEN_WORKER_PORT="${VIDEOGEN_WORKER_PORT:-26083}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:26092}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:26079}"
export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:26090}"
NGINX_PORT="${BENCH_NGINX_PORT:-26088}"

GATEWAY="http://127.0.0.1:$VIDEOGEN_PORT"
STATUS="http://127.0.0.1:$VIDEOGEN_STATUS_PORT"
MEDIA="http://127.0.0.1:$VIDEOGEN_MEDIA_PORT"
KAFKA_PORT="${KAFKA_BOOTSTRAP_SERVERS##*:}"
REDIS_PORT="${REDIS_URL##*:}"; REDIS_PORT="${REDIS_PORT%%/*}"
S3_PORT="${S3_ENDPOINT##*:}"; S3_PORT="${S3_PORT%%/*}"

# Scratch data (Kafka, Redis, S3 data dirs, test files, compiled tool) lives outside the repository.
DATA_ROOT="${BENCH_DATA_ROOT:-/tmp/videogen-bench-$(id -un)}"
RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/manual}"   # run-all.sh sets a timestamped one
mkdir -p "$DATA_ROOT" "$RESULTS"
CLASSES="$DATA_ROOT/classes"
KAFKA_LIB="$ROOT/local-stack/kafka-broker/target/lib"

note() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
record_load() { echo "$1 $(date +%s) $(loadavg)" >> "$RESULTS/loadavg.txt"; }

build_if_needed() {
  local missing=false jar
  for m in gateway-service generation-worker status-service media-service; do
    jar="$(ls "$ROOT/$m"/target/"$m"-*-exec.jar 2>/dev/null | head -n 1)"
    # a missing jar, or one older than its sources (or the shared modules'): a stale jar would be measured silently
    if [ -z "$jar" ] || [ -n "$(find "$ROOT/$m/src/main" "$ROOT/$m/pom.xml" "$ROOT/generation-events/src/main" \
        "$ROOT/web-support/src/main" "$ROOT/web-ui/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]; then
      missing=true
    fi
  done
  if $missing; then
    note "building (./mvnw -B -o -q package -DskipTests): a service jar is missing or older than its sources"
    (cd "$ROOT" && ./mvnw -B -o -q package -DskipTests)
  fi
  if [ ! -f "$CLASSES/BenchTool.class" ] || [ "$BENCH_DIR/java/BenchTool.java" -nt "$CLASSES/BenchTool.class" ]; then
    mkdir -p "$CLASSES"
    javac -d "$CLASSES" -cp "$KAFKA_LIB/*" "$BENCH_DIR/java/BenchTool.java"
  fi
}

# The Java helper (Kafka producer/consumer, SSE client); see bench/java/BenchTool.java.
tool() { java -Xmx512m -cp "$CLASSES:$KAFKA_LIB/*" BenchTool "$@"; }

# --- processes by port (only the ones our run.sh started listen there) ---
pid_of_port() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o "pid=[0-9]*" | head -n 1 | cut -d= -f2 || true; }
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
service_ports() { # name:port for every process of the running system
  echo "gateway:$VIDEOGEN_PORT status:$VIDEOGEN_STATUS_PORT media:$VIDEOGEN_MEDIA_PORT"
  if [ -n "${BENCH_WORKER_PORTS:-}" ]; then  # workers started by workers.sh, on the ports it found free
    local w=0; for p in $BENCH_WORKER_PORTS; do echo "worker-$w:$p"; w=$((w + 1)); done
  else
    for ((w=0; w<${BENCH_WORKERS:-0}; w++)); do echo "worker-$w:$((VIDEOGEN_WORKER_PORT + w))"; done
  fi
  echo "kafka:$KAFKA_PORT redis:$REDIS_PORT s3proxy:$S3_PORT"
}
rss_snapshot() { # label file: one line per process "label name rss_kb"
  local name port pid
  for np in $(service_ports); do
    name="${np%%:*}"; port="${np##*:}"; pid="$(pid_of_port "$port")"
    [ -n "$pid" ] && echo "$1 $name $(rss_kb "$pid")" >> "$2"
  done
}
RSS_SAMPLER=""
rss_sampler_start() { # label file: samples every 0.5 s until rss_sampler_stop
  local label="$1" file="$2" pids=() names=() name port pid
  for np in $(service_ports); do
    name="${np%%:*}"; port="${np##*:}"; pid="$(pid_of_port "$port")"
    [ -n "$pid" ] && { pids+=("$pid"); names+=("$name"); }
  done
  (
    while true; do
      for i in "${!pids[@]}"; do echo "$label ${names[$i]} $(rss_kb "${pids[$i]}")"; done
      sleep 0.5
    done
  ) >> "$file" &
  RSS_SAMPLER=$!
}
rss_sampler_stop() {
  if [ -n "$RSS_SAMPLER" ]; then kill "$RSS_SAMPLER" 2>/dev/null || true; wait "$RSS_SAMPLER" 2>/dev/null || true; fi
  RSS_SAMPLER=""
}

# --- the system, through ./run.sh ---
RUNSH_PID=""
start_system() { # label workers demo_seconds data_dir
  local label="$1" data="$4" kind=warm
  [ -d "$data/kafka" ] || kind=cold
  mkdir -p "$data"
  export BENCH_WORKERS="$2"
  note "starting the system ($label: $2 worker(s), demo ${3}s, $kind start, data $data); load $(loadavg)"
  local t0; t0=$(date +%s.%N)
  (cd "$ROOT" && VIDEOGEN_WORKERS="$2" VIDEOGEN_DEMO_SECONDS="$3" VIDEOGEN_DATA_DIR="$data" \
     VIDEOGEN_GENERATOR=demo VIDEOGEN_RATE_LIMIT_PER_MINUTE="${BENCH_RATE_LIMIT:-1000000}" \
     exec ./run.sh) > "$DATA_ROOT/run-$label.log" 2>&1 &
  RUNSH_PID=$!
  for _ in $(seq 1 1800); do
    if grep -q "Videogen is up" "$DATA_ROOT/run-$label.log"; then
      local took; took=$(echo "$(date +%s.%N) - $t0" | bc)
      echo "$label $kind workers=$2 seconds=$took load=$(loadavg | tr ' ' ',')" >> "$RESULTS/startup.txt"
      note "up after ${took}s"
      return 0
    fi
    if ! kill -0 "$RUNSH_PID" 2>/dev/null; then
      note "run.sh exited; its output:"; tail -n 30 "$DATA_ROOT/run-$label.log" >&2; RUNSH_PID=""; return 1
    fi
    sleep 0.2
  done
  note "the system did not come up in 6 minutes"; stop_system; return 1
}
stop_system() {
  [ -z "$RUNSH_PID" ] && return 0
  note "stopping the system (run.sh pid $RUNSH_PID)"
  kill -TERM "$RUNSH_PID" 2>/dev/null
  for _ in $(seq 1 900); do kill -0 "$RUNSH_PID" 2>/dev/null || break; sleep 0.2; done
  wait "$RUNSH_PID" 2>/dev/null
  RUNSH_PID=""
}

# --- object store and owners ---
s3_env() { set -a; . "$VIDEOGEN_DATA_DIR/secrets.env"; set +a; }
# curl signs with SigV4 itself; S3Proxy wants the payload hash header, UNSIGNED-PAYLOAD is accepted
s3_curl() { curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }
owner_cookie() { # the signed videogen_owner cookie value of an owner id (what the gateway itself would set)
  local sig
  sig=$(printf %s "$1" | openssl dgst -sha256 -mac HMAC -macopt "key:$VIDEOGEN_OWNER_KEY" -binary | base64 | tr '+/' '-_' | tr -d '=\n')
  echo "$1.$sig"
}

# A job of OWNER whose video is FILE, put in the object store as it is, with media-service's cached copy of an
# earlier run dropped (so the first read is a real miss). Needs s3_env.
put_media_object() { # owner job file
  tool jobs owner="$1" prefix="$2" count=1 >/dev/null
  curl -s -o /dev/null -X DELETE "$MEDIA/internal/media/$2"
  s3_curl -f -o /dev/null -H "Content-Type: video/mp4" -T "$3" "$S3_ENDPOINT/videos/$2.mp4"
}
# The 2 MiB object of the media benchmarks (random bytes, kept in DATA_ROOT/files) as job bench-media-2m of OWNER, once
# media-service knows its owner; prints the file's path. Needs s3_env; the object-store client's output goes to LOG.
put_media_2m() { # owner log
  local f="$DATA_ROOT/files/2m.bin"
  s3_curl -o /dev/null -X PUT "$S3_ENDPOINT/videos" || true   # the bucket (exists already if a worker ran)
  mkdir -p "$DATA_ROOT/files"
  [ -f "$f" ] || head -c $((2 * 1024 * 1024)) /dev/urandom > "$f"
  put_media_object "$1" bench-media-2m "$f" 2>>"$2" || return 1
  await_media_owner "$1" bench-media-2m || { echo "media-service never knew the owner of bench-media-2m" >&2; return 1; }
  echo "$f"
}
# Stops the extra service processes a script started (their pids in ARM_PIDS) and waits for them to exit.
stop_arms() {
  for p in "${ARM_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${ARM_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
await_media_owner() { # owner job: until the read model knows the owner (media-service answers HEAD with 200)
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Videogen-Owner: $1" -I "$MEDIA/api/video-blob/$2")" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

# Until URL answers with a 2xx, for at most SECONDS (default 30); false if it never did.
await_url() { # url [seconds]
  for _ in $(seq 1 $(( ${2:-30} * 2 ))); do curl -fs -o /dev/null "$1" && return 0; sleep 0.5; done
  return 1
}
# One more media-service process, through ./run.sh component (its flags, then OPTS as VIDEOGEN_JVM_OPTS_MEDIA), on
# PORT with its own cache directory $VIDEOGEN_DATA_DIR/media-cache-LABEL, output to LOG; $! is its pid.
start_media_arm() { # label port opts log
  (cd "$ROOT" && VIDEOGEN_MEDIA_PORT="$2" VIDEOGEN_MEDIA_CACHE_DIR="$VIDEOGEN_DATA_DIR/media-cache-$1" \
     VIDEOGEN_JVM_OPTS_MEDIA="$3" exec ./run.sh component media-service) > "$4" 2>&1 &
}
# A gateway process with the JVM options OPTS appended to ./run.sh's, on PORT, in front of the running system's
# services; in the background, $! is its pid.
start_gateway_arm() { # label port opts log
  (cd "$ROOT" && VIDEOGEN_PORT="$2" VIDEOGEN_JVM_OPTS_GATEWAY="$3" exec ./run.sh component gateway-service) > "$4" 2>&1 &
}
# More processes of one service (KIND media or gateway) on the running system: one per label in the variable
# PREFIX_ARMS (none if it is empty), each with the JVM options in PREFIX_OPTS_<label> after ./run.sh's, on ports BASE,
# BASE + 1, ..., output to LOG_DIR/KIND-<label>.log; up and healthy on return. Sets ARMS and PORT (label -> port) and
# adds the pids to ARM_PIDS (stop them with stop_arms).
start_arms() { # kind base_port prefix log_dir
  local arms_var="$3_ARMS" i=0 label opts_var
  read -r -a ARMS <<< "${!arms_var:-}"
  declare -gA PORT
  mkdir -p "$4"
  for label in "${ARMS[@]}"; do
    PORT[$label]=$(($2 + i)); i=$((i + 1)); opts_var="$3_OPTS_$label"
    "start_$1_arm" "$label" "${PORT[$label]}" "${!opts_var:-}" "$4/$1-$label.log"
    ARM_PIDS+=($!)
    note "arm $label: port ${PORT[$label]}, options '${!opts_var:-}'"
  done
  for label in "${ARMS[@]}"; do
    await_url "http://127.0.0.1:${PORT[$label]}/actuator/health" 150 || { note "arm $label did not start"; return 1; }
  done
}
# A/B of one service (KIND media or gateway): start_arms with the two labels of BENCH_AB_ARMS and the options of
# BENCH_AB_OPTS_<label>, on ports BASE and BASE + 1, logs in $RESULTS.
start_ab_arms() { # kind base_port
  read -r -a ARMS <<< "${BENCH_AB_ARMS:?two labels, e.g. \"c1 c2\"}"
  [ "${#ARMS[@]}" = 2 ] || { echo "BENCH_AB_ARMS: two labels" >&2; return 2; }
  start_arms "$1" "$2" BENCH_AB "$RESULTS"
}
# The pids serving TARGET in a script that compares servers: nginx's worker processes (NGINX_PID is the master),
# else PID_OF[TARGET].
serving_pids() { # target
  if [ "$1" = nginx ]; then pgrep -P "$NGINX_PID" | tr '\n' ' '; else echo "${PID_OF[$1]}"; fi
}
# ROUNDS rounds of bench SCRIPT against each arm of start_ab_arms, alternating which goes first, with PORT_VAR (the
# variable the script takes the service's port from) set to the arm's port; each under /tmp/videogen-bench.lock, its
# results in $RESULTS/<label>-r<round>/, the arm's RSS after it in $RESULTS/arm-rss.txt.
ab_rounds() { # rounds port_var script
  local round label pid order
  for ((round=1; round<=$1; round++)); do
    order=("${ARMS[@]}"); (( round % 2 == 0 )) && order=("${ARMS[1]}" "${ARMS[0]}")
    for label in "${order[@]}"; do
      note "round $round: $label, load $(loadavg)"
      env BENCH_RESULTS="$RESULTS/$label-r$round" "$2=${PORT[$label]}" \
        flock /tmp/videogen-bench.lock bash "$BENCH_DIR/$3"
      pid="$(pid_of_port "${PORT[$label]}")"
      [ -n "$pid" ] && echo "$label round $round rss_kb $(rss_kb "$pid")" >> "$RESULTS/arm-rss.txt"
    done
  done
}
# Prints the first copy media-service has made in its cache directory DIR, waiting up to 20 s for one.
cached_copy() { # dir
  local copy
  for _ in $(seq 1 100); do
    copy=$(ls "$1"/*.media 2>/dev/null | head -n 1)
    [ -n "$copy" ] && { echo "$copy"; return 0; }
    sleep 0.2
  done
  return 1
}

# A ~WxH PNG: random noise (incompressible, so ~3*W*H bytes) or a smooth gradient (small).
make_png() { # file width height noise|gradient
  /usr/bin/python3 - "$@" <<'PY'
import sys, random
from PIL import Image
path, w, h, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if kind == "noise":
    img = Image.frombytes("RGB", (w, h), random.Random(7).randbytes(w * h * 3))
else:
    img = Image.new("RGB", (w, h))
    img.putdata([(x * 255 // w, y * 255 // h, 128) for y in range(h) for x in range(w)])
img.save(path, "PNG")
PY
}

# --- the image worker benchmarks submit, the worker jar they start, and the worker JVMs they started ---
job_png() { # prints the path of a 512x512 PNG, made once
  local png="$DATA_ROOT/files/job.png"
  mkdir -p "$DATA_ROOT/files"
  [ -f "$png" ] || make_png "$png" 512 512 gradient
  echo "$png"
}
# one job through the gateway, and its end
submit_job() { # owner png -> prints the job id
  curl -sS -H "Cookie: videogen_owner=$(owner_cookie "$1")" -F "image=@$2;type=image/png" \
    -F "prompt=A calm ocean at dawn" "$GATEWAY/api/generate-video" | sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p'
}
wait_done() { # owner jobId: until the job has ended (2 minutes at most)
  local cookie="videogen_owner=$(owner_cookie "$1")"
  for _ in $(seq 1 1200); do
    case "$(curl -s -H "Cookie: $cookie" "$GATEWAY/api/video-jobs/$2")" in
      *'"status":"succeeded"'*|*'"status":"failed"'*|*'"status":"canceled"'*) return 0 ;;
    esac
    sleep 0.1
  done
  return 1
}
# worker JVMs started by a bench script (start_worker fills WPID and WPORT) ---
declare -a WPID=() WPORT=()
# Worker i as ./run.sh starts it (./run.sh component generation-worker), with the given VAR=value settings, logging
# to $DATA_ROOT/<log_prefix>-i.log. It listens on VIDEOGEN_WORKER_PORT+i unless that port is taken, then the next
# free one.
start_worker() { # index log_prefix [VAR=value...]
  local i="$1" prefix="$2" port used="${WPORT[*]:-}"
  shift 2
  port=$((VIDEOGEN_WORKER_PORT + i))
  while [[ " $used " == *" $port "* ]] || ss -Htan "sport = :$port" | grep -q .; do port=$((port + 1)); done
  WPORT[$i]=$port
  export BENCH_WORKER_PORTS="${WPORT[*]}"
  (cd "$ROOT" && exec env VIDEOGEN_WORKER_PORT="$port" "$@" ./run.sh component generation-worker 0) \
    > "$DATA_ROOT/$prefix-$i.log" 2>&1 &
  WPID[$i]=$!
}
wait_workers() { # count consumers_per_worker log_prefix: every worker ready, the 12 request partitions spread over all
  local n="$1" slots="$2" prefix="$3" t0 m=""; t0=$(date +%s)
  for ((i=0; i<n; i++)); do
    until curl -fsS "http://127.0.0.1:${WPORT[$i]}/actuator/health/readiness" 2>/dev/null | grep -q UP; do
      kill -0 "${WPID[$i]}" 2>/dev/null || { tail -n 30 "$DATA_ROOT/$prefix-$i.log" >&2; exit 1; }
      [ $(( $(date +%s) - t0 )) -lt 400 ] || { echo "worker $i not ready" >&2; exit 1; }
      sleep 0.5
    done
  done
  for _ in $(seq 1 120); do
    m=$(tool members group=generation-worker 2>/dev/null || true)
    case "$m" in "members=$((n * slots)) state=Stable"*"assigned=12"|"members=$((n * slots)) state=STABLE"*"assigned=12") break ;; esac
    sleep 0.5
  done
  note "workers ready after $(( $(date +%s) - t0 ))s: $m"
  echo "$n $m" >> "$OUT/members.txt"
}
stop_workers() {
  for i in "${!WPID[@]}"; do kill -TERM "${WPID[$i]}" 2>/dev/null || true; done
  for i in "${!WPID[@]}"; do wait "${WPID[$i]}" 2>/dev/null || true; done
  WPID=(); WPORT=(); unset BENCH_WORKER_PORTS
}

# The libraries bench/java/BareMedia.java runs on, taken from media-service's jar: DIR/lib without Netty's io_uring
# transport (epoll, as media-service runs by default; Reactor Netty takes io_uring by itself when it is on the class
# path) and DIR/lib-uring with every library.
bare_media_libs() { # dir
  mkdir -p "$1/lib" "$1/lib-uring"
  unzip -q -o -j "$(ls "$ROOT"/media-service/target/media-service-*-exec.jar | head -n 1)" \
    'BOOT-INF/lib/reactor-*' 'BOOT-INF/lib/netty-*' 'BOOT-INF/lib/reactive-streams*' 'BOOT-INF/lib/slf4j-api*' \
    'BOOT-INF/lib/micrometer-*' 'BOOT-INF/lib/context-propagation*' -d "$1/lib-uring"
  cp "$1"/lib-uring/*.jar "$1/lib/"; rm -f "$1"/lib/netty-transport-*io_uring*.jar
}
# bench/java/BareMedia.java in the background, with media-service's JVM flags and one event loop per core; $! is its pid
start_bare_media() { # lib_dir port file log [JVM options...]
  local lib="$1" port="$2" file="$3" log="$4"
  shift 4
  java -Xmx256m -XX:+UseSerialGC -Xss512k -Dreactor.netty.ioWorkerCount="$(nproc)" "$@" \
    -cp "$lib/*" "$ROOT/bench/java/BareMedia.java" "$port" "$file" > "$log" 2>&1 &
}
start_nginx() { # dir port location files_dir: nginx serving files_dir under location on 127.0.0.1:port, as a CDN edge
  # would (sendfile, tcp_nopush, no access log); sets NGINX_PID. Its workers run as the invoking user: the object
  # store's files are private to it (when run as root nginx would otherwise switch its workers to nobody)
  local dir="$1" port="$2" location="$3" files="$4"
  mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user $(id -un) $(id -gn);" )
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  types { video/mp4 mp4; }
  server {
    listen 127.0.0.1:$port;
    location $location { alias $files/; }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/logs/error.log" -g 'daemon off;' &
  NGINX_PID=$!
}
