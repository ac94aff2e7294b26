#!/usr/bin/env bash
# The floor for media-service's transport: Reactor Netty alone (bench/java/BareMedia.java, same libraries and JVM
# flags as media-service, one event loop per core) against nginx on the same 2 MiB file, 1 MB ranges and full reads,
# 64 clients (wrk), rounds alternating which goes first. No Videogen system needed; ports BENCH_FLOOR_PORT and +1.
#   usage: bench/media-floor.sh [ROUNDS]      -> $RESULTS/media-floor/results.txt and ratios on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS="${1:-3}"
PORT="${BENCH_FLOOR_PORT:-26150}"
OUT="$RESULTS/media-floor"; mkdir -p "$OUT"
build_if_needed
NETTY="$(unzip -Z1 "$(ls "$ROOT"/media-service/target/media-service-*-exec.jar | head -n 1)" | sed -n 's|.*/netty-common-\(.*\)\.jar$|\1|p')"
W="$DATA_ROOT/media-floor"; rm -rf "$W"; mkdir -p "$W/lib" "$W/www"
unzip -q -j "$(ls "$ROOT"/media-service/target/media-service-*-exec.jar | head -n 1)" \
  'BOOT-INF/lib/reactor-*' 'BOOT-INF/lib/netty-*' 'BOOT-INF/lib/reactive-streams*' 'BOOT-INF/lib/slf4j-api*' \
  'BOOT-INF/lib/micrometer-*' 'BOOT-INF/lib/context-propagation*' -d "$W/lib"
head -c $((2 * 1024 * 1024)) /dev/urandom > "$W/www/2m.bin"
# the same server a second time with Netty's io_uring transport on its class path (Reactor Netty prefers it to epoll)
mkdir -p "$W/lib-uring"; cp "$W"/lib/*.jar "$W/lib-uring/"
for a in netty-transport-classes-io_uring:$NETTY netty-transport-native-io_uring:$NETTY:jar:linux-x86_64; do
  (cd "$ROOT" && ./mvnw -B -q dependency:copy -Dartifact="io.netty:$a" -DoutputDirectory="$W/lib-uring")
done
bare() {   # NAME PORT LIBDIR
  java -Xmx256m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Dreactor.netty.ioWorkerCount="$(nproc)" \
    -cp "$3/*" "$ROOT/bench/java/BareMedia.java" "$2" "$W/www/2m.bin" > "$OUT/$1.log" 2>&1 &
}
bare bare $PORT "$W/lib"; BARE=$!
bare bare-uring $((PORT + 2)) "$W/lib-uring"; URING=$!
start_nginx "$W/ngx" $((PORT + 1)) / "$W/www"
NGX=$NGINX_PID
trap 'kill $BARE $URING 2>/dev/null; kill -QUIT $NGX 2>/dev/null; wait 2>/dev/null' EXIT
declare -A URL=([bare]="http://127.0.0.1:$PORT/2m.bin" [nginx]="http://127.0.0.1:$((PORT + 1))/2m.bin"
                [bare-uring]="http://127.0.0.1:$((PORT + 2))/2m.bin")
for _ in $(seq 1 60); do curl -fs -o /dev/null "${URL[bare]}" && curl -fs -o /dev/null "${URL[nginx]}" \
  && curl -fs -o /dev/null "${URL[bare-uring]}" && break; sleep 0.5; done
for t in bare bare-uring; do
  cmp <(curl -s -H "Range: bytes=1000000-1999999" "${URL[$t]}") <(curl -s -H "Range: bytes=1000000-1999999" "${URL[nginx]}")
  grep -H transport "$OUT/$t.log"
done
for t in bare bare-uring nginx; do wrk -t 2 -c 64 -d 3s -H "Range: bytes=1000000-1999999" "${URL[$t]}" > /dev/null; done   # warm-up
: > "$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  order="bare bare-uring nginx"; [ $((r % 2)) = 0 ] && order="nginx bare-uring bare"
  for kind in range full; do
    for t in $order; do
      hdr=(); [ "$kind" = range ] && hdr=(-H "Range: bytes=1000000-1999999")
      rps=$(wrk -t 2 -c 64 -d 4s "${hdr[@]}" "${URL[$t]}" | awk '/Requests\/sec/ {print $2}')
      echo "round=$r kind=$kind target=$t rps=$rps load=$(loadavg | cut -d' ' -f1)" | tee -a "$OUT/results.txt"
    done
  done
done
awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]} rps[v["round"] " " v["kind"] " " v["target"]] = v["rps"]}
     END {for (k in rps) {split(k, p, " "); if (p[3] != "nginx") printf "round %s %s: %s / nginx = %.2f\n", p[1], p[2], p[3], rps[k] / rps[p[1] " " p[2] " nginx"]}}' \
  "$OUT/results.txt" | sort | tee "$OUT/ratios.txt"
