#!/usr/bin/env bash
# Starts the whole Videogen system on this machine, with real infrastructure as plain processes (no Docker):
# Apache Kafka (KRaft), Redis, an S3 API server (S3Proxy), then the four services. Ctrl-C or SIGTERM stops all of it.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")" && pwd)"
cd "$ROOT"

DATA_DIR="${VIDEOGEN_DATA_DIR:-$ROOT/.videogen}"
mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
LOGS="$DATA_DIR/logs"
mkdir -p "$LOGS"

export VIDEOGEN_PORT="${VIDEOGEN_PORT:-8080}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}"
export REDIS_URL="${REDIS_URL:-redis://localhost:6379}"
export S3_ENDPOINT="${S3_ENDPOINT:-http://localhost:9000}"
export VIDEOGEN_STATUS_PORT="${VIDEOGEN_STATUS_PORT:-8081}"
export VIDEOGEN_MEDIA_PORT="${VIDEOGEN_MEDIA_PORT:-8082}"
WORKER_PORT="${VIDEOGEN_WORKER_PORT:-8083}"
WORKERS="${VIDEOGEN_WORKERS:-1}"
export VIDEOGEN_STATUS_URL="http://127.0.0.1:$VIDEOGEN_STATUS_PORT"
export VIDEOGEN_MEDIA_URL="http://127.0.0.1:$VIDEOGEN_MEDIA_PORT"
SERVICE_XMX="${VIDEOGEN_SERVICE_XMX:-256m}"

KAFKA_PORT="${KAFKA_BOOTSTRAP_SERVERS##*:}"
KAFKA_CONTROLLER_PORT="${VIDEOGEN_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
REDIS_PORT="${REDIS_URL##*:}"; REDIS_PORT="${REDIS_PORT%%/*}"
S3_PORT="${S3_ENDPOINT##*:}"; S3_PORT="${S3_PORT%%/*}"

log() { printf '[run.sh] %s\n' "$*"; }

# Secrets are generated once and kept with the data, so a restart finds its buckets and owner cookies valid.
SECRETS="$DATA_DIR/secrets.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "S3_ACCESS_KEY=videogen-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    echo "S3_SECRET_KEY=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    echo "VIDEOGEN_OWNER_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  } > "$SECRETS"
  umask 022
fi
while IFS='=' read -r key value; do
  [ -n "$key" ] && [ -z "${!key:-}" ] && export "$key=$value"
done < "$SECRETS"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar_of() { ls "$ROOT/$1"/target/"$1"-*-exec.jar 2>/dev/null | head -n 1; }
REDIS_BIN_DIR="$ROOT/local-stack/redis-server/target/bin"

need_build=false
for module in gateway-service generation-worker status-service media-service; do
  [ -n "$(jar_of "$module")" ] || need_build=true
done
[ -d "$ROOT/local-stack/kafka-broker/target/lib" ] || need_build=true
[ -d "$ROOT/local-stack/s3-server/target/lib" ] || need_build=true
command -v redis-server >/dev/null || [ -d "$REDIS_BIN_DIR" ] || need_build=true
if $need_build; then
  log "building (./mvnw package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests
fi

PIDS=()
NAMES=()
stopping=false
stop_all() {
  set +e # best effort from here on: every process gets its signal
  $stopping && return 0
  stopping=true
  log "stopping ..."
  # services first, so they finish in-flight work while Kafka, Redis and S3 are still there
  stop_matching service
  stop_matching infra
  log "stopped"
}
stop_matching() { # service | infra
  local targets=()
  for i in "${!PIDS[@]}"; do
    case "${NAMES[$i]}" in kafka|redis|s3) kind=infra ;; *) kind=service ;; esac
    [ "$kind" = "$1" ] && targets+=("${PIDS[$i]}")
  done
  [ ${#targets[@]} -eq 0 ] && return 0
  kill -TERM "${targets[@]}" 2>/dev/null || true
  for pid in "${targets[@]}"; do
    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

start() { # name, then the command
  local name="$1"; shift
  [ -f "$LOGS/$name.log" ] && mv -f "$LOGS/$name.log" "$LOGS/$name.log.1"
  "$@" > "$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
}

wait_port() { # name port seconds
  for _ in $(seq 1 $(($3 * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    check_alive
    sleep 0.1
  done
  log "$1 did not open port $2; its log ($LOGS/$1.log) ends with:"; tail -n 30 "$LOGS/$1.log" || true
  exit 1
}

wait_healthy() { # name port seconds
  for _ in $(seq 1 $(($3 * 5))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
      if curl -fsS "http://127.0.0.1:$2/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then return 0; fi
    fi
    check_alive
    sleep 0.2
  done
  log "$1 did not become healthy; its log ($LOGS/$1.log) ends with:"; tail -n 40 "$LOGS/$1.log" || true
  exit 1
}

check_alive() {
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      log "${NAMES[$i]} exited; its log ($LOGS/${NAMES[$i]}.log) ends with:"
      tail -n 40 "$LOGS/${NAMES[$i]}.log" || true
      exit 1
    fi
  done
}


# One component in the foreground (the process replaces this shell), with the configuration above. The whole
# system below is made of these; `./run.sh component NAME` starts just one (used by the fault tests).
run_component() { # kafka | redis | s3 | status-service | media-service | gateway-service | generation-worker [N]
  local common=(-XX:+UseSerialGC -Xss512k) # every service
  # the full JIT (C1 and C2) for the services that move video bytes: once C2 has compiled the request path (~30 s of
  # load here) media-service's 1 MB ranges reach 0.83-0.91 of nginx instead of 0.70-0.79, the gateway's proxied
  # videos cost up to 43 % less CPU and it takes 1.3-1.4x the 500 KB submits per second (docs/benchmarks.md, sections
  # 1 and 3, session 8); ~55-80 MiB more RSS each
  local jvm=(-Xmx"$SERVICE_XMX" "${common[@]}")
  local c1_only=(-XX:TieredStopAtLevel=1) # the status service: little Java work per event, memory matters more
  # the status service holds every open event stream: its young collections, on two threads with Parallel GC, stop
  # the event loops half as long as Serial's (docs/benchmarks.md, section 2: p99 with 1,000 streams 27-36 ms, not 37-45)
  local status_gc=(-XX:-UseSerialGC -XX:+UseParallelGC)
  # VIDEOGEN_JVM_OPTS_{GATEWAY,STATUS,MEDIA,WORKER}: more JVM options for that service, after the ones below (a later
  # option wins: `-Xmx512m`; another GC needs the Serial one switched off: `-XX:-UseSerialGC -XX:+UseParallelGC`)
  local extra_name="VIDEOGEN_JVM_OPTS_$(echo "${1%-service}" | sed 's/generation-//' | tr '[:lower:]' '[:upper:]')"
  local extra=(); read -r -a extra <<< "${!extra_name:-}"
  case "$1" in
    kafka)
      mkdir -p "$DATA_DIR/kafka"
      cat > "$DATA_DIR/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR/kafka
num.partitions=12
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
      local cp="$ROOT/local-stack/kafka-broker/target/lib/*"
      local logcfg="-Dlog4j2.configurationFile=$ROOT/local-stack/kafka-broker/log4j2.properties"
      if [ ! -f "$DATA_DIR/kafka/meta.properties" ]; then
        "$JAVA" -Xmx256m "$logcfg" -cp "$cp" kafka.tools.StorageTool format --ignore-formatted \
          -t "vg-local-cluster-0000001" -c "$DATA_DIR/kafka.properties"
      fi
      exec "$JAVA" -Xmx512m -XX:+UseG1GC "$logcfg" -cp "$cp" kafka.Kafka "$DATA_DIR/kafka.properties" ;;
    redis)
      mkdir -p "$DATA_DIR/redis"
      local server
      server="$(command -v redis-server || ls "$REDIS_BIN_DIR"/redis-server-* | head -n 1)"
      chmod +x "$server" 2>/dev/null || true
      exec "$server" --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DATA_DIR/redis" --appendonly yes \
        --daemonize no --save 60 1 ;;
    s3)
      mkdir -p "$DATA_DIR/s3"
      cat > "$DATA_DIR/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$DATA_DIR/s3
PROPS
      chmod 600 "$DATA_DIR/s3proxy.properties"
      exec "$JAVA" -Xmx256m -Dlogback.configurationFile="$ROOT/local-stack/s3-server/logback.xml" \
        -cp "$ROOT/local-stack/s3-server/target/lib/*" org.gaul.s3proxy.Main --properties "$DATA_DIR/s3proxy.properties" ;;
    media-service)
      # (it starts one HTTP event loop per core itself, see MediaApplication; -Dreactor.netty.ioWorkerCount overrides)
      VIDEOGEN_MEDIA_CACHE_DIR="${VIDEOGEN_MEDIA_CACHE_DIR:-$DATA_DIR/media-cache}" \
        exec "$JAVA" "${jvm[@]}" "${extra[@]}" -jar "$(jar_of media-service)" ;;
    status-service)
      exec "$JAVA" "${jvm[@]}" "${c1_only[@]}" "${status_gc[@]}" "${extra[@]}" -jar "$(jar_of status-service)" ;;
    gateway-service)
      exec "$JAVA" "${jvm[@]}" "${extra[@]}" -jar "$(jar_of gateway-service)" ;;
    generation-worker)
      # the worker keeps the full JIT (C1 and C2): its own CPU work on every job (the poster cut and encoded, the
      # image as a data: URI, the demo renderer) runs 2-10x faster with C2 (docs/benchmarks.md, section 4b)
      VIDEOGEN_WORKER_PORT=$((WORKER_PORT + ${2:-0})) exec "$JAVA" -Xmx384m "${common[@]}" \
        "${extra[@]}" -jar "$(jar_of generation-worker)" ;;
    *)
      log "unknown component '$1' (kafka, redis, s3, status-service, media-service, gateway-service, generation-worker [N])"
      exit 2 ;;
  esac
}

if [ "${1:-}" = component ]; then
  shift
  run_component "$@"
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
INFRA_PORTS=("$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$REDIS_PORT" "$S3_PORT")
[ "${VIDEOGEN_EXTERNAL_INFRA:-0}" = 1 ] && INFRA_PORTS=()
for port in "${INFRA_PORTS[@]}" "$VIDEOGEN_PORT" "$VIDEOGEN_STATUS_PORT" \
            "$VIDEOGEN_MEDIA_PORT" $(seq "$WORKER_PORT" $((WORKER_PORT + WORKERS - 1))); do
  if ! port_free "$port"; then
    log "port $port is already in use (another Videogen, or another program); stop it or choose other ports"
    exit 1
  fi
done

# The infrastructure, unless it already runs elsewhere (VIDEOGEN_EXTERNAL_INFRA=1, e.g. containers).
if [ "${VIDEOGEN_EXTERNAL_INFRA:-0}" = 1 ]; then
  log "using external Kafka ($KAFKA_BOOTSTRAP_SERVERS), Redis ($REDIS_URL) and object store ($S3_ENDPOINT)"
else
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT, Redis on 127.0.0.1:$REDIS_PORT, the S3 server on 127.0.0.1:$S3_PORT"
  start kafka run_component kafka
  start redis run_component redis
  start s3 run_component s3
  wait_port redis "$REDIS_PORT" 30
  wait_port s3 "$S3_PORT" 60
  wait_port kafka "$KAFKA_PORT" 60
fi

# --- services ---
log "starting status-service, media-service, $WORKERS generation-worker(s), gateway-service"
start status-service run_component status-service
start media-service run_component media-service
for ((w=0; w<WORKERS; w++)); do
  start "generation-worker-$w" run_component generation-worker "$w"
done
start gateway-service run_component gateway-service

wait_healthy status-service "$VIDEOGEN_STATUS_PORT" 120
wait_healthy media-service "$VIDEOGEN_MEDIA_PORT" 120
for ((w=0; w<WORKERS; w++)); do wait_healthy "generation-worker-$w" $((WORKER_PORT + w)) 120; done
wait_healthy gateway-service "$VIDEOGEN_PORT" 120

log "Videogen is up: http://localhost:$VIDEOGEN_PORT  (logs in $LOGS; Ctrl-C stops everything)"

while true; do
  check_alive
  sleep 1 &
  wait $! || true
done
