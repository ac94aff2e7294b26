#!/usr/bin/env bash
# The floor for media-service's transport: Reactor Netty alone (bench/java/BareMedia.java, same libraries and JVM
# flags as media-service, one event loop per core) against nginx on the same 2 MiB file, 1 MB ranges and full reads,
# 64 clients (wrk), rounds alternating which goes first. No Videogen system needed; ports BENCH_FLOOR_PORT to +4.
#   usage: [BENCH_FLOOR_ARMS="bare bare-uring bare-cork"] bench/media-floor.sh [ROUNDS]
#          -> $RESULTS/media-floor/results.txt and ratios on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS="${1:-3}"
PORT="${BENCH_FLOOR_PORT:-26150}"
OUT="$RESULTS/media-floor"; mkdir -p "$OUT"
build_if_needed
W="$DATA_ROOT/media-floor"; rm -rf "$W"; mkdir -p "$W/www"
bare_media_libs "$W"
head -c $((2 * 1024 * 1024)) /dev/urandom > "$W/www/2m.bin"
# the bare servers: bare (epoll, as media-service runs by default), bare-uring (io_uring), bare-cork (epoll with
# TCP_CORK around each response, as nginx's tcp_nopush); BENCH_FLOOR_ARMS picks them (default: bare bare-uring)
read -r -a ARMS <<< "${BENCH_FLOOR_ARMS:-bare bare-uring}"
declare -A URL PIDS
i=0
for t in "${ARMS[@]}"; do
  lib="$W/lib"; opts=()
  case "$t" in
    bare) ;;
    bare-uring) lib="$W/lib-uring" ;;
    bare-cork) opts=(-Dbare.cork=true) ;;
    *) echo "unknown arm $t" >&2; exit 2 ;;
  esac
  port=$((PORT + 2 + i)); i=$((i + 1))
  start_bare_media "$lib" "$port" "$W/www/2m.bin" "$OUT/$t.log" "${opts[@]}"
  PIDS[$t]=$!
  URL[$t]="http://127.0.0.1:$port/2m.bin"
done
start_nginx "$W/ngx" $((PORT + 1)) / "$W/www"
NGX=$NGINX_PID
trap 'kill ${PIDS[*]} 2>/dev/null; kill -QUIT $NGX 2>/dev/null; wait 2>/dev/null' EXIT
URL[nginx]="http://127.0.0.1:$((PORT + 1))/2m.bin"
for t in "${ARMS[@]}" nginx; do await_url "${URL[$t]}" || true; done   # a server that is not up fails the cmp below
for t in "${ARMS[@]}"; do
  cmp <(curl -s -H "Range: bytes=1000000-1999999" "${URL[$t]}") <(curl -s -H "Range: bytes=1000000-1999999" "${URL[nginx]}")
  grep -H transport "$OUT/$t.log"
done
for t in "${ARMS[@]}" nginx; do wrk -t 2 -c 64 -d 3s -H "Range: bytes=1000000-1999999" "${URL[$t]}" > /dev/null; done   # warm-up
: > "$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  order="${ARMS[*]} nginx"; [ $((r % 2)) = 0 ] && order="$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')"
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
